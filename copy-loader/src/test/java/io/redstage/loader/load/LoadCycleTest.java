package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoadCycleTest {
  /**
   * Each table thread holds at most one statement slot; with claims on, one slot must stay free for
   * the claims' renewal, or long loads on every slot let the claims run out.
   */
  @Test
  void whileClaimingOneStatementSlotIsLeftForTheRenewal() {
    assertThat(LoadCycle.tableThreads(16, true)).isEqualTo(15);
    assertThat(LoadCycle.tableThreads(16, false)).isEqualTo(16);
    // a single slot is shared: no table could load otherwise
    assertThat(LoadCycle.tableThreads(1, true)).isEqualTo(1);
  }
}

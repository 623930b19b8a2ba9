package io.redstage.loader.check;

/**
 * One line of {@code check}: what was checked, how it went, and what was found or what to do.
 *
 * @param detail for OK what was verified; for FAIL what is wrong and how to fix it; for WARN what
 *     is wrong for which setups; for SKIP why it could not run
 */
public record CheckResult(String name, Status status, String detail) {
  public enum Status {
    OK,
    FAIL,
    /** Something that concerns only some setups (named in the detail); does not fail check. */
    WARN,
    SKIP
  }

  static CheckResult ok(String name, String detail) {
    return new CheckResult(name, Status.OK, detail);
  }

  static CheckResult fail(String name, String detail) {
    return new CheckResult(name, Status.FAIL, detail);
  }

  static CheckResult warn(String name, String detail) {
    return new CheckResult(name, Status.WARN, detail);
  }

  static CheckResult skip(String name, String detail) {
    return new CheckResult(name, Status.SKIP, detail);
  }

  @Override
  public String toString() {
    return String.format("%-5s %-26s %s", status, name, detail);
  }
}

package io.redstage.loader.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.TextStringBuilder;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in config file values with environment
 * variables, as a shell does: the default applies when the variable is unset or empty, {@code
 * $${...}} stays a literal {@code ${...}}, and the text of a variable's value is not interpolated
 * again (so a secret holding "${" is kept as it is). Errors name the key and the variable, never a
 * value.
 */
final class EnvPlaceholders {
  private EnvPlaceholders() {}

  static Map<String, String> resolve(
      Map<String, String> fileValues, Map<String, String> env, Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    fileValues.forEach((key, value) -> out.put(key, resolve(key, value, env, file)));
    return out;
  }

  private static String resolve(String key, String value, Map<String, String> env, Path file) {
    if (value == null || !value.contains("${")) {
      return value;
    }
    EnvSubstitutor substitutor = new EnvSubstitutor(env);
    try {
      return substitutor.replace(value);
    } catch (IllegalArgumentException e) {
      String variable = substitutor.lastUnresolved;
      throw new ConfigException(
          "Cannot read config key '"
              + key
              + "' from "
              + file
              + ": environment variable "
              + variable
              + " is not set (or is empty) and its placeholder has no default. Set "
              + variable
              + ", or write ${"
              + variable
              + ":-<default>} in the file (and $${...} for a literal ${...}).");
    }
  }

  /**
   * A substitutor over the environment map that remembers the last variable it could not resolve.
   */
  private static final class EnvSubstitutor extends StringSubstitutor {
    private String lastUnresolved;

    EnvSubstitutor(Map<String, String> env) {
      super(
          name -> {
            String v = env.get(name);
            return v == null || v.isEmpty() ? null : v;
          });
      setValueDelimiter(":-");
      setEnableUndefinedVariableException(true);
      setDisableSubstitutionInValues(true);
    }

    @Override
    protected String resolveVariable(
        String variableName, TextStringBuilder buf, int startPos, int endPos) {
      String v = super.resolveVariable(variableName, buf, startPos, endPos);
      if (v == null) {
        lastUnresolved = variableName;
      }
      return v;
    }
  }
}

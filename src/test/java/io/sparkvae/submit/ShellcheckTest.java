package io.sparkvae.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shell script of submit/ and data-prep/ passes shellcheck 0.9.0, the binary that the test dependency
 * {@code dev.dimlight:shellcheck-maven-plugin} embeds for this platform (so the suite needs only Java and Maven,
 * and every machine checks with the same version); on a platform it has no binary for, the {@code shellcheck} on
 * the PATH. Neither there: the test fails, it never skips.
 */
class ShellcheckTest {
  private static final String EMBEDDED = "shellcheck-bin/%s/shellcheck-v0.9.0/shellcheck";

  @Test
  void everyScriptPassesShellcheck() throws Exception {
    Path shellcheck = embedded();
    if (shellcheck == null) {
      shellcheck = Stream.of(System.getenv("PATH").split(File.pathSeparator))
          .map(dir -> Path.of(dir, "shellcheck"))
          .filter(Files::isExecutable)
          .findFirst()
          .orElse(null);
    }
    if (shellcheck == null) {
      fail("no shellcheck for " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
          + " in the test dependency and none on the PATH: install it (apt-get install shellcheck, brew install"
          + " shellcheck); this test checks every script in submit/ and data-prep/");
    }
    List<String> scripts = new ArrayList<>();
    for (String dir : List.of("submit", "data-prep")) {
      try (Stream<Path> files = Files.list(SubmitRun.ROOT.resolve(dir))) {
        files.map(f -> dir + "/" + f.getFileName()).filter(f -> f.endsWith(".sh")).sorted().forEach(scripts::add);
      }
    }
    assertTrue(scripts.containsAll(List.of("submit/cluster-common.sh", "submit/standalone.sh", "submit/yarn.sh",
        "submit/k8s.sh", "submit/local.sh")), "scripts found: " + scripts);

    List<String> command = new ArrayList<>(List.of(shellcheck.toString(), "--external-sources"));
    command.addAll(scripts); // relative to the root, as the scripts' "# shellcheck source=" directives are
    Process p = new ProcessBuilder(command).directory(SubmitRun.ROOT.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "shellcheck did not finish within 120 s");
    assertEquals(0, p.exitValue(), "shellcheck found problems:\n" + output);
  }

  /** This platform's binary from the test classpath, copied to target/ and made executable; null if none. */
  private static Path embedded() throws Exception {
    String arch = System.getProperty("os.arch");
    String os = System.getProperty("os.name");
    String platform = os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64")) ? "Linux_x86_64"
        : os.startsWith("Linux") && arch.equals("aarch64") ? "Linux_aarch64"
        : os.startsWith("Mac") && (arch.equals("x86_64") || arch.equals("amd64")) ? "macOS_x86_64"
        : null;
    if (platform == null) {
      return null;
    }
    try (InputStream in = ShellcheckTest.class.getClassLoader()
        .getResourceAsStream(String.format(EMBEDDED, platform))) {
      if (in == null) {
        return null;
      }
      Path target = SubmitRun.ROOT.resolve("target/shellcheck-0.9.0");
      Files.createDirectories(target.getParent());
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      if (!target.toFile().setExecutable(true)) {
        throw new IllegalStateException("cannot make " + target + " executable");
      }
      return target;
    }
  }
}

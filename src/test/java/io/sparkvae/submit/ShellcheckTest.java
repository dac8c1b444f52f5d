package io.sparkvae.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of submit/ and data-prep/ passes shellcheck (which must be installed: no silent skip). */
class ShellcheckTest {

  @Test
  void everyScriptPassesShellcheck() throws Exception {
    Path shellcheck = Stream.of(System.getenv("PATH").split(File.pathSeparator))
        .map(dir -> Path.of(dir, "shellcheck"))
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(null);
    if (shellcheck == null) {
      fail("shellcheck is not on the PATH: install it (apt-get install shellcheck, brew install shellcheck);"
          + " this test checks every script in submit/ and data-prep/");
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
}

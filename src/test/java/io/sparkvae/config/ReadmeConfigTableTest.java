package io.sparkvae.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README documents every key of reference.conf, with its default. */
class ReadmeConfigTableTest {
  @Test
  void everyKeyIsInTheReadmeTable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    var reference = ConfigFactory.parseResources(ConfigLoader.class, "/reference.conf").resolve()
        .getConfig(ConfigLoader.ROOT);
    for (var e : reference.entrySet()) {
      String row = "| `" + e.getKey() + "` |";
      assertTrue(readme.contains(row), "README.md has no row for " + e.getKey()
          + " (regenerate the table with: python3 submit/config-table.py)");
      String rendered = e.getValue().render(com.typesafe.config.ConfigRenderOptions.concise());
      int at = readme.indexOf(row);
      String line = readme.substring(at, readme.indexOf('\n', at));
      if (e.getValue().valueType() == com.typesafe.config.ConfigValueType.NUMBER) {
        // numbers by value: the table shows reference.conf's text (0.00001), render() gives 1.0E-5
        String cell = line.split("\\|")[2].trim().replace("`", "");
        assertEquals(((Number) e.getValue().unwrapped()).doubleValue(), Double.parseDouble(cell), 0.0,
            "README default of " + e.getKey() + " differs from reference.conf: " + line);
      } else if (!rendered.isEmpty() && !e.getKey().equals("data.prepared")) {
        assertTrue(line.replace(" ", "").contains(rendered.replace(" ", "")),
            "README default of " + e.getKey() + " differs from reference.conf (" + rendered + "): " + line);
      }
    }
  }
}

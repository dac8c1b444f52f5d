package io.sparkvae.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.submit.ParsedDockerfile.Copy;
import io.sparkvae.submit.ParsedDockerfile.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile against the repository and the build: the build stage copies files the build context holds
 * to the same places under its WORKDIR; the runtime stage copies what {@code mvn package} produced; the
 * /opt/spark-vae paths that docker/README.md, submit/k8s.sh and the READMEs use are in the image; the base is
 * the pom's Spark; the user is not root. An integration test: maven-failsafe runs it after {@code package},
 * from the project root (the build stage's WORKDIR stands for it).
 */
class DockerfileIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final String JAR = "/opt/spark-vae/spark-vae-cluster.jar";
  private static final Pattern IMAGE_PATH = Pattern.compile("/opt/spark-vae[A-Za-z0-9._/-]*");
  private static final List<String> USERS_OF_IMAGE_PATHS =
      List.of("docker/README.md", "submit/k8s.sh", "README.md", "README-cluster.md");

  private static ParsedDockerfile dockerfile;
  private static DockerIgnore dockerignore;

  @BeforeAll
  static void read() throws IOException {
    dockerfile = ParsedDockerfile.parse(ROOT.resolve("docker/Dockerfile"));
    dockerignore = DockerIgnore.read(ROOT.resolve(".dockerignore"));
  }

  @Test
  void everyCopyFromTheContextNamesAFileTheContextHolds() {
    for (Stage stage : dockerfile.stages()) {
      for (Copy copy : stage.copies()) {
        if (copy.from() == null) {
          for (String source : copy.sources()) {
            assertTrue(Files.exists(ROOT.resolve(source)), "line " + copy.line() + ": no " + source + " in the repo");
            assertFalse(dockerignore.excludes(source), "line " + copy.line() + ": .dockerignore leaves out " + source);
          }
        }
      }
    }
  }

  @Test
  void contextLeavesOutBuildOutputsAndGit() {
    for (String path : List.of("target/spark-vae-cluster.jar", "out/local/runs", ".git/HEAD", "data/raw/cifar10")) {
      assertTrue(dockerignore.excludes(path), ".dockerignore should leave out " + path);
    }
  }

  @Test
  void buildStageMirrorsTheRepositoryUnderItsWorkdir() {
    Stage build = dockerfile.stage("build");
    assertFalse(build.copies().isEmpty(), "the build stage copies nothing");
    for (Copy copy : build.copies()) {
      assertNull(copy.from(), "line " + copy.line() + ": the build stage copies from the context only");
      for (String source : copy.sources()) {
        String expected = Path.of(build.workdir(), source).normalize().toString();
        assertEquals(expected, copy.target(source, Files.isDirectory(ROOT.resolve(source))),
            "line " + copy.line() + ": " + source + " must land at the same path under " + build.workdir());
      }
    }
  }

  @Test
  void runtimeCopiesWhatTheBuildProduces() {
    String workdir = dockerfile.stage("build").workdir();
    List<Copy> fromBuild = dockerfile.runtime().copies().stream().filter(c -> "build".equals(c.from())).toList();
    assertFalse(fromBuild.isEmpty(), "the runtime stage copies nothing from the build stage");
    for (Copy copy : fromBuild) {
      for (String source : copy.sources()) {
        assertTrue(source.startsWith(workdir + "/"), "line " + copy.line() + ": " + source + " is outside " + workdir);
        String produced = source.substring(workdir.length() + 1);
        assertTrue(Files.exists(ROOT.resolve(produced)), "line " + copy.line() + ": the build has no " + produced
            + " (" + source + "); this test runs after `mvn package`, from the project root");
      }
    }
  }

  @Test
  void pathsTheDocsAndScriptsUseAreInTheImage() throws IOException {
    Set<String> image = imageFiles();
    assertTrue(image.contains(JAR), "the image has no " + JAR + ": " + image);
    for (String user : USERS_OF_IMAGE_PATHS) {
      Path file = ROOT.resolve(user);
      if (!Files.exists(file)) {
        continue;
      }
      String text = Files.readString(file);
      if (user.equals("docker/README.md") || user.equals("submit/k8s.sh")) {
        assertTrue(text.contains(JAR), user + " does not use " + JAR);
      }
      Matcher m = IMAGE_PATH.matcher(text);
      while (m.find()) {
        String path = m.group().replaceAll("[./]+$", ""); // "conf/..." and a sentence's full stop
        boolean isFileOrDirectory = image.contains(path) || image.stream().anyMatch(f -> f.startsWith(path + "/"));
        assertTrue(isFileOrDirectory, user + " uses " + m.group() + ", which docker/Dockerfile does not create");
      }
    }
  }

  @Test
  void runtimeIsTheApacheSparkImageOfThePom() throws IOException {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    String expected = "apache/spark:" + property(pom, "spark.version") + "-scala"
        + property(pom, "scala.binary.version") + "-java17";
    String image = dockerfile.runtime().image();
    assertTrue(image.startsWith(expected), "runtime image " + image + " should start with " + expected);
  }

  @Test
  void runsAsAUserOtherThanRoot() {
    String user = dockerfile.runtime().user();
    assertNotNull(user, "the runtime stage sets no USER");
    String name = user.split(":")[0];
    assertFalse(name.equals("root") || name.equals("0"), "USER " + user + " is root");
  }

  /** Every file the runtime stage copies, at its path in the image. */
  private static Set<String> imageFiles() throws IOException {
    String workdir = dockerfile.stage("build").workdir();
    Set<String> files = new TreeSet<>();
    for (Copy copy : dockerfile.runtime().copies()) {
      for (String source : copy.sources()) {
        boolean fromContext = copy.from() == null;
        Path local = ROOT.resolve(fromContext ? source : Path.of(workdir).relativize(Path.of(source)).toString());
        if (!Files.isDirectory(local)) {
          files.add(copy.target(source, false));
          continue;
        }
        String target = copy.target(source, true);
        try (Stream<Path> walk = Files.walk(local)) {
          walk.filter(Files::isRegularFile)
              .filter(f -> !fromContext || !dockerignore.excludes(ROOT.relativize(f).toString()))
              .forEach(f -> files.add(target + "/" + local.relativize(f)));
        }
      }
    }
    return files;
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertTrue(m.find(), "pom.xml has no property " + name);
    return m.group(1).strip();
  }
}

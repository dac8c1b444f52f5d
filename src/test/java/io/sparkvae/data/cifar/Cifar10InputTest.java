package io.sparkvae.data.cifar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkvae.data.BadInputException;
import io.sparkvae.io.HadoopFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding and checking CIFAR-10's binary batches, as a folder or as the official tar.gz. */
class Cifar10InputTest {
  @TempDir Path tmp;
  private final HadoopFiles files = HadoopFiles.local();
  private final Cifar10Fixture fixture = new Cifar10Fixture(7, 3);

  @Test
  void folderParentFolderAndArchiveGiveTheSameBatches() throws Exception {
    Path folder = fixture.writeFolder(tmp);
    Path archive = Cifar10Fixture.writeTarGz(folder, tmp.resolve(Cifar10Format.ARCHIVE));
    List<Cifar10Batch> fromFolder = Cifar10Input.scan(folder.toString(), files);
    List<Cifar10Batch> fromParent = Cifar10Input.scan(tmp.toString(), files);
    List<Cifar10Batch> fromArchive = Cifar10Input.scan(archive.toString(), files);
    assertEquals(6, fromFolder.size());
    assertEquals(fromFolder, fromParent);
    for (int b = 0; b < 6; b++) {
      Cifar10Batch f = fromFolder.get(b);
      Cifar10Batch a = fromArchive.get(b);
      assertEquals(Cifar10Format.allBatches().get(b), f.name());
      assertEquals(7, f.records());
      assertEquals(b < 5 ? 7L * b : -1L, f.firstTrainIndex());
      assertNull(f.tarEntry());
      assertEquals("cifar-10-batches-bin/" + f.name(), a.tarEntry());
      assertEquals(f.firstTrainIndex(), a.firstTrainIndex());
      assertArrayEquals(fixture.batchBytes(b), Cifar10Input.readAll(f, files));
      assertArrayEquals(fixture.batchBytes(b), Cifar10Input.readAll(a, files));
    }
  }

  @Test
  void batchWhoseSizeIsNotAWholeNumberOfRecordsNamesFileAndOffset() throws Exception {
    Path folder = fixture.writeFolder(tmp);
    Path batch = folder.resolve("data_batch_2.bin");
    byte[] bytes = Files.readAllBytes(batch);
    Files.write(batch, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    BadInputException e = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(folder.toString(), files));
    assertTrue(e.getMessage().contains(batch + ": 21411 bytes is not a multiple of the 3073-byte CIFAR-10 "
        + "record") && e.getMessage().contains("the record at byte offset 18438 is incomplete"), e.getMessage());
  }

  @Test
  void truncatedBatchInsideTheArchiveIsNamedWithItsEntry() throws Exception {
    Path folder = fixture.writeFolder(tmp.resolve("src"));
    Files.write(folder.resolve("test_batch.bin"), new byte[3073 * 2 + 5]);
    Path archive = Cifar10Fixture.writeTarGz(folder, tmp.resolve(Cifar10Format.ARCHIVE));
    BadInputException e = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(archive.toString(), files));
    assertTrue(e.getMessage().startsWith(archive + "!cifar-10-batches-bin/test_batch.bin: 6151 bytes"),
        e.getMessage());
    assertTrue(e.getMessage().contains("byte offset 6146"), e.getMessage());
  }

  @Test
  void archiveEntryEscapingTheFolderIsRefused() throws Exception {
    Path folder = fixture.writeFolder(tmp.resolve("src"));
    Path archive = Cifar10Fixture.writeTarGz(folder, tmp.resolve(Cifar10Format.ARCHIVE),
        "cifar-10-batches-bin/../../evil.sh");
    BadInputException e = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(archive.toString(), files));
    assertTrue(e.getMessage().startsWith(archive + ": entry 'cifar-10-batches-bin/../../evil.sh' (at byte "
        + "offset "), e.getMessage());
    assertTrue(e.getMessage().contains("escapes the folder the archive extracts into"), e.getMessage());
  }

  @Test
  void missingBatchAndWrongInputAreNamed() throws Exception {
    Path folder = fixture.writeFolder(tmp);
    Files.delete(folder.resolve("data_batch_4.bin"));
    BadInputException missing = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(folder.toString(), files));
    assertTrue(missing.getMessage().contains("has no data_batch_4.bin"), missing.getMessage());
    Path text = Files.writeString(tmp.resolve("cifar.zip"), "x");
    BadInputException notTar = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(text.toString(), files));
    assertTrue(notTar.getMessage().contains("is a file but not a .tar.gz"), notTar.getMessage());
    Path fakeGz = Files.writeString(tmp.resolve("fake.tar.gz"), "not gzip");
    BadInputException notGzip = assertThrows(BadInputException.class,
        () -> Cifar10Input.scan(fakeGz.toString(), files));
    assertTrue(notGzip.getMessage().startsWith(fakeGz + ": "), notGzip.getMessage());
  }

  @Test
  void valSliceHasExactlyTheRequestedSizeAndDependsOnlyOnTheSeed() {
    BitSet a = Cifar10Rows.chooseVal(50_000, 5_000, 7);
    BitSet b = Cifar10Rows.chooseVal(50_000, 5_000, 7);
    BitSet c = Cifar10Rows.chooseVal(50_000, 5_000, 8);
    assertEquals(5_000, a.cardinality());
    assertEquals(a, b);
    assertNotEquals(a, c);
    // spread over all five batches, roughly 1,000 each
    for (int batch = 0; batch < 5; batch++) {
      int inBatch = a.get(batch * 10_000, (batch + 1) * 10_000).cardinality();
      assertTrue(inBatch > 850 && inBatch < 1150, "batch " + batch + ": " + inBatch);
    }
    assertThrows(BadInputException.class, () -> Cifar10Rows.chooseVal(10, 11, 7));
  }

  @Test
  void planarRecordBecomesInterleavedRgb() {
    byte[] record = fixture.record(0, 1);
    byte[] hwc = Cifar10Format.toHwc(record, 0);
    for (int p : new int[] {0, 1, 31, 32, 517, 1023}) {
      assertEquals(record[1 + p], hwc[3 * p]);
      assertEquals(record[1 + 1024 + p], hwc[3 * p + 1]);
      assertEquals(record[1 + 2048 + p], hwc[3 * p + 2]);
    }
  }
}

package io.sparkvae.data.celeba;

import java.io.Serializable;

/**
 * One listed image to decode.
 *
 * @param name the file name, e.g. {@code 000001.jpg}; the row id
 * @param source where its bytes are: a file path, or the entry name inside the zip
 * @param split train, val or test, from {@code list_eval_partition.txt}
 * @param attributes the 40 attributes of {@code list_attr_celeba.txt} as 0/1
 */
public record CelebaItem(String name, String source, String split, int[] attributes)
    implements Serializable {}

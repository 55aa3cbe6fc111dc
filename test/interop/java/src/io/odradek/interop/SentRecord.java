package io.odradek.interop;

import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;

/** A record the suite produced, kept to compare with what is read back. */
record SentRecord(int partition, long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
    boolean sameKeyValue(byte[] k, byte[] v) {
        return Arrays.equals(key, k) && Arrays.equals(value, v);
    }
}

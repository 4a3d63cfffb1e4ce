package glint.format;

import java.nio.ByteBuffer;

/** One way of watching a stream: as a disk ({@link DiskScan}) or as an OVA tar of disks ({@link OvaScan}). */
interface Scan {
    void feed(ByteBuffer data);

    Inspection finish();

    /** Bytes held for inspection right now (headers, located regions, tail): bounded whatever the stream. */
    long retainedBytes();
}

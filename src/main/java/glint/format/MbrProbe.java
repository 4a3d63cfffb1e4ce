package glint.format;

/**
 * MBR and GPT (oslo.utils' "gpt"): the 0xAA55 signature at 510, unless the sector is a FAT boot sector (two FATs,
 * fixed-disk media byte). Virtual size is the data size, as raw.
 *
 * <p>oslo.utils has one check, {@code mbr}, over the four partition entries; Glint splits it as the faults are:
 * {@code mbr} for any MBR (a boot flag other than 0x00/0x80, no partition at all) and {@code gptmbr} for a
 * protective MBR (the 0xEE entry's start CHS or LBA, partitions beside it). {@link FormatRules} relaxes both when
 * {@code gpt_safety_checks_nonfatal} names {@code mbr}, as Glance does with oslo.utils' single check.
 */
final class MbrProbe extends Probe {
    private static final int TABLE = 446;
    private static final int PROTECTIVE = 0xee;
    private boolean match;

    MbrProbe() {
        super("gpt");
        want(0, 512, this::onSector);
    }

    private void onSector(Capture c) {
        byte[] s = c.data();
        if (!c.full() || Bytes.u16le(s, 510) != 0xaa55) {
            return;
        }
        boolean fat = Bytes.u8(s, 0x10) == 2 && Bytes.u8(s, 0x15) == 0xf8;
        if (fat) {
            return;
        }
        match = true;
        check(s);
    }

    private void check(byte[] s) {
        int used = 0;
        boolean protective = false;
        boolean onlyFirst = true;
        for (int i = 0; i < 4; i++) {
            int e = TABLE + 16 * i;
            int boot = Bytes.u8(s, e);
            int type = Bytes.u8(s, e + 4);
            if (boot != 0x00 && boot != 0x80) {
                fail("mbr", "MBR PTE " + i + " has invalid boot flag");
            }
            if (type != 0) {
                used++;
                onlyFirst &= i == 0;
            }
            if (type == PROTECTIVE) {
                protective = true;
                if (Bytes.u8(s, e + 1) != 0x00 || Bytes.u8(s, e + 2) != 0x02 || Bytes.u8(s, e + 3) != 0x00) {
                    fail("gptmbr", "GPT MBR has invalid start CHS");
                }
                if (Bytes.u32le(s, e + 8) != 1) {
                    fail("gptmbr", "GPT MBR has invalid start LBA");
                }
            }
        }
        if (protective && !(used == 1 && onlyFirst)) {
            fail("gptmbr", "GPT MBR defines invalid extra partitions");
        }
        if (used == 0) {
            fail("mbr", "GPT MBR has no partitions defined");
        }
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(size, "") : null;
    }
}

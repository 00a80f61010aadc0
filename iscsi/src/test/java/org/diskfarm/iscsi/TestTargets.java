package org.diskfarm.iscsi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.diskfarm.block.StorageException;
import org.diskfarm.iscsi.scsi.ScsiIdentity;

/** Targets held in a map; the name {@link #BUSY} throws BUSY as a locked vDisk would. */
final class TestTargets implements IscsiTargets {
    static final String DISK = "iqn.2025-01.org.diskfarm:disk";
    static final String GOLD = "iqn.2025-01.org.diskfarm:gold";
    static final String SECRET = "iqn.2025-01.org.diskfarm:secret";
    static final String MUTUAL = "iqn.2025-01.org.diskfarm:mutual";
    static final String BUSY = "iqn.2025-01.org.diskfarm:locked";
    static final IscsiChap CHAP = IscsiChap.oneWay("alice", "alice-secret-12");
    static final IscsiChap MUTUAL_CHAP = new IscsiChap("bob", "bob-secret-1234", "target-bob", "target-secret-99");

    private final Map<String, IscsiTargetInfo> targets = new LinkedHashMap<>();

    static ScsiIdentity identity(int n) {
        return new ScsiIdentity("DISKFARM", "VDISK", "0001", "SN" + n, 0x3000_0000_0000_0000L | n);
    }

    static TestTargets standard() {
        TestTargets t = new TestTargets();
        t.add(new IscsiTargetInfo(DISK, "the disk", identity(1), null));
        t.add(new IscsiTargetInfo(GOLD, null, identity(2), null));
        t.add(new IscsiTargetInfo(SECRET, "secret", identity(3), CHAP));
        t.add(new IscsiTargetInfo(MUTUAL, "mutual", identity(4), MUTUAL_CHAP));
        return t;
    }

    void add(IscsiTargetInfo info) {
        targets.put(info.name(), info);
    }

    @Override
    public List<String> names() {
        return List.copyOf(targets.keySet());
    }

    @Override
    public Optional<IscsiTargetInfo> lookup(String name) {
        if (name.equals(BUSY)) {
            throw new StorageException(StorageException.Kind.BUSY, "locked.vhd is held by server a for 10.0.0.7");
        }
        return Optional.ofNullable(targets.get(name));
    }
}

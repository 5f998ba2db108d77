#!/bin/sh
# /init of the guest initramfs: mounts the pseudo filesystems kprobe work needs, runs /payload.sh as root
# between markers carrying the nonce from the kernel command line (kpsim_nonce=...), then powers off.
# run.sh only trusts output between a BEGIN and an END marker with its own nonce.
/bin/busybox mkdir -p /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tracefs nodev /sys/kernel/tracing
mount -t debugfs nodev /sys/kernel/debug
# Keep kernel messages off the console while the payload prints; dmesg still has them.
echo 1 > /proc/sys/kernel/printk
nonce=$(sed -n 's/.*kpsim_nonce=\([0-9a-f]*\).*/\1/p' /proc/cmdline)
cd /root
echo "==== KPROBESIM BEGIN $nonce"
sh /payload.sh 2>&1
rc=$?
echo "==== KPROBESIM END $nonce rc=$rc"
poweroff -f

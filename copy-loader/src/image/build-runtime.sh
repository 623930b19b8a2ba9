#!/usr/bin/env bash
# Builds the root filesystem the loader image starts from: a jlink Java runtime of the JDK that runs the build,
# plus the C libraries that runtime links against, copied from this machine.
#
# Why not a base image from a registry: the build must work where only Maven Central is reachable (no registry
# pulls, no Docker daemon), so Jib starts from 'scratch' and this directory becomes the image's first layer.
# The libraries come from the build machine's glibc; the image therefore runs on any x86-64/arm64 Linux kernel,
# matching the architecture it was built on.
#
# Usage: build-runtime.sh <jdk home> <output rootfs dir> <comma-separated modules>
set -euo pipefail
jdk="$1"; root="$2"; modules="$3"

rm -rf "$root"
mkdir -p "$root/opt" "$root/etc" "$root/tmp" "$root/lib64"
"$jdk/bin/jlink" --add-modules "$modules" --output "$root/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=2 2>&1 | grep -v 'compress' || true

# jlink copies symlinked files (Debian links cacerts and the policy files into /etc); make them plain files
# so the image has no link pointing outside itself.
find "$root/opt/java" -type l | while read -r link; do
  target=$(readlink -f "$link"); rm "$link"; cp "$target" "$link"
done

# Every shared library the runtime's executables and libraries need, resolved on this machine, except the
# runtime's own. Copied to the same path (the loader resolves /lib64/ld-linux-*.so.* by absolute path).
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' \
  | grep -v "^$root" | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done

# A user and group for the loader (uid/gid 65532, as distroless' 'nonroot'); the image runs as it.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
mkdir -p "$root/home/nonroot"

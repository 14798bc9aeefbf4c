# Images for tests that cannot reach a registry: an OCI layout that is also a `docker save` archive,
# made from a directory tree. Sourced by tests/integration/run.sh and tests/cri/run.sh.

# image_archive ROOTFS NAME CONFIG OUT_TAR : one layer with ROOTFS; NAME is the image reference
# (localhost/busybox:latest); CONFIG the image config's "config" object ({"Cmd":["sh"]}); the
# archive (importable by ctr, docker load and podman load) is written to OUT_TAR.
image_archive() {
    local rootfs=$1 name=$2 config=$3 out=$4 work img layer cfg man
    work=$(mktemp -d "${out%/*}/image.XXXXXX") || return 1
    img=$work/layout
    mkdir -p "$img/blobs/sha256"
    tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" . || return 1
    layer=$(_image_sha "$work/layer.tar"); mv "$work/layer.tar" "$img/blobs/sha256/$layer"
    cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":$config,"rootfs":{"type":"layers","diff_ids":["sha256:$layer"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"tests"}]}
JSON
    cfg=$(_image_sha "$work/config.json"); mv "$work/config.json" "$img/blobs/sha256/$cfg"
    cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$cfg","size":$(stat -c %s "$img/blobs/sha256/$cfg")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$layer","size":$(stat -c %s "$img/blobs/sha256/$layer")}]}
JSON
    man=$(_image_sha "$work/manifest.json"); mv "$work/manifest.json" "$img/blobs/sha256/$man"
    cat >"$img/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$man","size":$(stat -c %s "$img/blobs/sha256/$man"),"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"$name","org.opencontainers.image.ref.name":"${name##*:}"}}]}
JSON
    echo '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
    # docker load (20.10) reads docker's own archive format: manifest.json next to the blobs
    echo "[{\"Config\":\"blobs/sha256/$cfg\",\"RepoTags\":[\"$name\"],\"Layers\":[\"blobs/sha256/$layer\"]}]" >"$img/manifest.json"
    tar --numeric-owner -C "$img" -cf "$out" . || return 1
    rm -rf "$work"
}
_image_sha() { sha256sum "$1" | cut -d' ' -f1; }

# busybox_image NAME OUT_TAR : every busybox-static applet, /etc/passwd and /etc/group with root,
# a 1777 /tmp; runs sh.
busybox_image() {
    local name=$1 out=$2 rootfs a
    rootfs=$(mktemp -d "${out%/*}/busybox-rootfs.XXXXXX") || return 1
    mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc,root}
    cp /bin/busybox "$rootfs/bin/busybox"
    for a in $(/bin/busybox --list); do
        [[ $a == busybox ]] || ln -sf busybox "$rootfs/bin/$a"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
    echo "root:x:0:" >"$rootfs/etc/group"
    chmod 1777 "$rootfs/tmp"
    image_archive "$rootfs" "$name" '{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}' "$out"
    local rc=$?
    rm -rf "$rootfs"
    return $rc
}

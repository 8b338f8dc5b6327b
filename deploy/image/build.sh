#!/usr/bin/env bash
# Build the Dockerfile on a machine with no Docker engine and no registry access, then
# play a bots game against the built image's own command (docs/operations.md, "Building
# the image here").
#
#   sudo deploy/image/build.sh [--rebuild-base] [--tag NAME] [--commit REV]
#
# The build context is the working tree, as `docker build .` would take it; --commit REV
# builds a committed tree instead (git archive), leaving work in progress out.
#
# 1. podman, buildah and debootstrap from Debian if missing.
# 2. A stand-in for python:3.11-slim made with debootstrap from Debian bookworm (whose
#    python3 is 3.11), carrying this machine's CA bundle and pip configuration so pip in
#    the build reaches the same index; imported as docker.io/library/python:3.11-slim, the
#    name the Dockerfile's FROM resolves to. Kept between runs (--rebuild-base remakes it).
# 3. buildah bud --isolation=chroot (containers cannot be started here), in Docker format
#    so the HEALTHCHECK is kept (the OCI format has no field for it).
# 4. The image's filesystem is mounted and its CMD run under chroot as the image's user,
#    with its Env and WorkingDir, a fresh data directory on its VOLUME, in a network
#    namespace of its own (the CMD's fixed port 8000 cannot clash with anything on the
#    host). The image's own HEALTHCHECK command must pass; then `policymaker workshop
#    create` and `policymaker bots` from the checkout's venv play a table to its end.
#
# Needs root (chroot, mounts, network namespaces, apt). Not part of `make test`: it takes
# minutes. Prints the build time, the image size and the game's result.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV_BIN=$ROOT/.venv/bin
BASE=docker.io/library/python:3.11-slim
TAG=localhost/policymaker:latest
REBUILD_BASE=0
COMMIT=""
SCENARIO=school-committee
BOT_SEATS=5

while (($#)); do
    case $1 in
        --rebuild-base) REBUILD_BASE=1 ;;
        --tag) TAG=${2:?--tag needs a name}; shift ;;
        --commit) COMMIT=${2:?--commit needs a revision}; shift ;;
        -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { printf '== %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

((EUID == 0)) || fail "run as root: chroot, mounts, network namespaces and apt need it"
[[ -x $VENV_BIN/policymaker ]] || fail "no $VENV_BIN/policymaker: run 'make test' or 'make run' once first"

# ---- cleanup: everything below registers what it must undo -------------------------------
WORK=$(mktemp -d /tmp/policymaker-image.XXXXXX)
MOUNTS=()      # mount points inside the image's root, unmounted in reverse order
CONTAINER=""   # buildah working container whose root is mounted
NETNS=""
SERVER_PID=""

cleanup() {
    local status=$?
    set +e
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"
        wait "$SERVER_PID" 2>/dev/null
    fi
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}"
    done
    if [[ -n $CONTAINER ]]; then
        buildah umount "$CONTAINER" >/dev/null
        buildah rm "$CONTAINER" >/dev/null
    fi
    [[ -n $NETNS ]] && ip netns delete "$NETNS"
    if [[ -d $WORK/rootfs ]]; then
        # debootstrap leaves its own mounts behind when it fails half-way.
        grep -o " $WORK/rootfs[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. tools ----------------------------------------------------------------------------
missing=()
for tool in podman buildah debootstrap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    say "installing ${missing[*]} from Debian"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

# ---- 2. the stand-in for python:3.11-slim ------------------------------------------------
# The host's Debian mirror, so debootstrap reaches what apt reaches.
debian_mirror() {
    local uri
    uri=$(grep -hs -m1 -E '^URIs: .*/debian/?$' /etc/apt/sources.list.d/*.sources || true)
    uri=${uri#URIs: }
    if [[ -z $uri ]]; then
        uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
    local rootfs=$WORK/rootfs started
    started=$(now)
    say "debootstrap bookworm (python3 3.11, pip) into $rootfs"
    debootstrap --variant=minbase --include=python3,python3-pip,python-is-python3,ca-certificates \
        bookworm "$rootfs" "$(debian_mirror)" >"$WORK/debootstrap.log" 2>&1 ||
        { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }

    # python:3.11-slim's pip installs into the system site-packages; Debian's refuses
    # (PEP 668) until this marker is gone.
    rm -f "$rootfs"/usr/lib/python3*/EXTERNALLY-MANAGED
    # This machine's CA bundle and pip configuration: the build stage's pip must reach the
    # index this machine reaches, through whatever proxy and CA it uses.
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    [[ -f /etc/pip.conf ]] && install -D -m 0644 /etc/pip.conf "$rootfs/etc/pip.conf"
    if [[ -d /etc/xdg/pip ]]; then
        mkdir -p "$rootfs/etc/xdg" && cp -a /etc/xdg/pip "$rootfs/etc/xdg/"
    fi
    if [[ -d $HOME/.config/pip ]]; then
        mkdir -p "$rootfs/root/.config" && cp -a "$HOME/.config/pip" "$rootfs/root/.config/"
    fi
    # What the official image does not carry either.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

    # PIP_* variables of this environment go into the base's Env, as a Docker daemon
    # would not pass them to a build either.
    local changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]')
    local var
    while IFS= read -r var; do
        changes+=(--change "ENV $var")
    done < <(env | grep -E '^PIP_[A-Z_]+=' | sort)

    tar -C "$rootfs" --numeric-owner -cf - . | podman import "${changes[@]}" - "$BASE" >/dev/null
    BASE_MADE="made in $(seconds_since "$started") s"
    say "stand-in $BASE $BASE_MADE"
}

BASE_MADE="kept from an earlier run"
if ((REBUILD_BASE)) || ! podman image exists "$BASE"; then
    podman image exists "$BASE" && podman rmi -f "$BASE" >/dev/null
    build_base
else
    say "using the stand-in $BASE made earlier (--rebuild-base to remake it)"
fi

# ---- 3. the build ------------------------------------------------------------------------
CONTEXT=$ROOT
if [[ -n $COMMIT ]]; then
    CONTEXT=$WORK/context
    mkdir -p "$CONTEXT"
    git -C "$ROOT" archive --format=tar "$COMMIT" | tar -x -C "$CONTEXT"
    say "context: $COMMIT ($(git -C "$ROOT" rev-parse --short "$COMMIT"))"
fi
say "buildah bud $CONTEXT/Dockerfile -> $TAG"
PREVIOUS=$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
started=$(now)
buildah bud --isolation=chroot --format=docker --pull=never --layers=false \
    -f "$CONTEXT/Dockerfile" -t "$TAG" "$CONTEXT"
BUILD_SECONDS=$(seconds_since "$started")
# The image this tag named before, now untagged: only this script's own, so remove it.
if [[ -n $PREVIOUS && $PREVIOUS != $(podman image inspect --format '{{.Id}}' "$TAG") ]]; then
    podman rmi "$PREVIOUS" >/dev/null 2>&1 || true
fi
IMAGE_BYTES=$(podman image inspect --format '{{.Size}}' "$TAG")
BASE_BYTES=$(podman image inspect --format '{{.Size}}' "$BASE")

# The image's run-time settings, as a container runtime would read them.
buildah inspect --type image "$TAG" >"$WORK/image.json"
config() { python3 - "$WORK/image.json" "$1" <<'EOF'
import json, shlex, sys
config = json.load(open(sys.argv[1]))["Docker"]["config"]
key = sys.argv[2]
if key == "Healthcheck":
    test = (config.get("Healthcheck") or {}).get("Test") or []
    # ["CMD", argv...] or ["CMD-SHELL", "command"]
    argv = test[1:] if test[:1] == ["CMD"] else (["/bin/sh", "-c", test[1]] if test else [])
    print(shlex.join(argv))
elif key in ("Env", "Cmd", "Entrypoint"):
    print(shlex.join(config.get(key) or []))
elif key == "Volumes":
    print(" ".join(sorted(config.get("Volumes") or {})))
else:
    print(config.get(key) or "")
EOF
}
USER_SPEC=$(config User)
WORKDIR=$(config WorkingDir)
eval "IMAGE_ENV=($(config Env))"
eval "COMMAND=($(config Entrypoint) $(config Cmd))"
eval "HEALTHCHECK=($(config Healthcheck))"
read -r -a VOLUMES <<<"$(config Volumes)"
((${#HEALTHCHECK[@]})) || fail "the image has no HEALTHCHECK"
((${#VOLUMES[@]})) || fail "the image declares no VOLUME"

# ---- 4. run the image's command ----------------------------------------------------------
CONTAINER=$(buildah from --pull-never "$TAG")
MNT=$(buildah mount "$CONTAINER")

# What the final stage must not hold: an editable install, the source tree, build tools.
if grep -rqs '"editable": *true' "$MNT"/usr/local/lib/python3*/*-packages/*.dist-info/direct_url.json ||
    compgen -G "$MNT/usr/local/lib/python3*/*-packages/__editable__*" >/dev/null; then
    fail "the image holds an editable install"
fi
[[ ! -e $MNT/src && ! -e $MNT/wheels ]] || fail "the image holds the build stage's /src or /wheels"
for tool in gcc cc make git; do
    [[ ! -e $MNT/usr/bin/$tool ]] || fail "the image holds a build tool: /usr/bin/$tool"
done

# A user name is resolved in the image's own /etc/passwd and /etc/group, not the host's.
resolve_id() { # resolve_id NAME_OR_ID FILE
    if [[ $1 =~ ^[0-9]+$ ]]; then echo "$1"; else awk -F: -v n="$1" '$1 == n { print $3 }' "$2"; fi
}
RUN_UID=$(resolve_id "${USER_SPEC%%:*}" "$MNT/etc/passwd")
if [[ $USER_SPEC == *:* ]]; then
    RUN_GID=$(resolve_id "${USER_SPEC#*:}" "$MNT/etc/group")
else
    RUN_GID=$(awk -F: -v u="$RUN_UID" '$3 == u { print $4 }' "$MNT/etc/passwd")
fi
[[ -n $USER_SPEC ]] || fail "the image has no USER: it would run as root"
[[ -n $RUN_UID && -n $RUN_GID ]] || fail "cannot resolve the image's user '$USER_SPEC'"
((RUN_UID != 0)) || fail "the image runs as root ('$USER_SPEC')"

# What a container runtime provides and the chroot does not: /proc, the few devices Python
# and uvicorn open, the resolver files, and an empty volume owned by the image's user.
bind() { # bind SOURCE TARGET_IN_IMAGE
    local target=$MNT$2
    if [[ -d $1 ]]; then mkdir -p "$target"; else mkdir -p "$(dirname "$target")" && touch "$target"; fi
    mount --bind "$1" "$target"
    MOUNTS+=("$target")
}
mkdir -p "$MNT/proc"
mount -t proc proc "$MNT/proc"
MOUNTS+=("$MNT/proc")
for dev in null zero random urandom; do bind "/dev/$dev" "/dev/$dev"; done
bind /etc/resolv.conf /etc/resolv.conf
bind /etc/hosts /etc/hosts
for i in "${!VOLUMES[@]}"; do
    mkdir -p "$WORK/volume$i" && chown "$RUN_UID:$RUN_GID" "$WORK/volume$i"
    bind "$WORK/volume$i" "${VOLUMES[i]}"
done
DATA=$WORK/volume0 # the server's data directory: the image declares one volume

NETNS=policymaker-image-$$
ip netns add "$NETNS"
ip netns exec "$NETNS" ip link set lo up
in_netns() { ip netns exec "$NETNS" "$@"; }
# chroot as the image's user, with exactly the image's environment and working directory.
in_image() {
    in_netns chroot --userspec="$RUN_UID:$RUN_GID" --groups="$RUN_GID" "$MNT" \
        /usr/bin/env -i --chdir="${WORKDIR:-/}" "${IMAGE_ENV[@]}" "$@"
}

say "running the image's command as $RUN_UID:$RUN_GID in ${WORKDIR:-/}: ${COMMAND[*]}"
started=$(now)
in_image "${COMMAND[@]}" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

# Up when the image's own HEALTHCHECK command passes; the deadline is generous for a slow,
# shared machine, and the loop ends at once if the server exits.
deadline=$((SECONDS + 120))
until in_image "${HEALTHCHECK[@]}" >/dev/null 2>&1; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; fail "the server exited"; }
    ((SECONDS < deadline)) || { cat "$WORK/server.log" >&2; fail "the HEALTHCHECK never passed"; }
    sleep 0.5
done
HEALTHY_SECONDS=$(seconds_since "$started")
say "HEALTHCHECK passes ${HEALTHY_SECONDS} s after start"

URL=http://127.0.0.1:8000
fetch() { in_netns "$VENV_BIN/python" -c '
import sys, httpx
r = httpx.get(sys.argv[1], timeout=10)
print(r.status_code)
' "$URL$1"; }
for path in /healthz / /facilitator /docs /openapi.json; do
    status=$(fetch "$path")
    [[ $status == 200 ]] || fail "GET $path answered $status"
done
# A file the static mount serves, whichever the page links first.
asset=$(in_netns "$VENV_BIN/python" -c '
import re, sys, httpx
page = httpx.get(sys.argv[1] + "/facilitator", timeout=10).text
print(re.search(r"/static/[^\"?]+", page).group(0))
' "$URL")
[[ $(fetch "$asset") == 200 ]] || fail "GET $asset did not answer 200"

say "a workshop on $SCENARIO, $BOT_SEATS bots playing it to the end"
game_started=$(now)
in_netns "$VENV_BIN/policymaker" workshop create --url "$URL" --scenario "$SCENARIO" \
    --tables 1 --autostart --json >"$WORK/workshop.json"
CODE=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tables"][0]["code"])' \
    "$WORK/workshop.json")
in_netns "$VENV_BIN/policymaker" bots --url "$URL" --code "$CODE" --seats "$BOT_SEATS" --json \
    >"$WORK/game.json"
GAME_SECONDS=$(seconds_since "$game_started")
# The server's own word that the table ended, not only the bots'.
STATUS=$(in_netns "$VENV_BIN/python" -c '
import sys, httpx
print(httpx.get(f"{sys.argv[1]}/api/tables/{sys.argv[2]}", timeout=10).json()["status"])
' "$URL" "$CODE")
[[ $STATUS == ended ]] || fail "the table's status is '$STATUS' after the bots finished"
[[ -n $(find "$DATA" -maxdepth 1 -name '*.db' -user "$RUN_UID") ]] ||
    fail "nothing written to the volume by uid $RUN_UID"

python3 - "$WORK/game.json" "$BUILD_SECONDS" "$IMAGE_BYTES" "$BASE_BYTES" "$BASE_MADE" \
    "$HEALTHY_SECONDS" "$GAME_SECONDS" "$TAG" "$CODE" <<'EOF'
import json, sys
game, build, size, base, base_made, healthy, played, tag, code = sys.argv[1:]
result = json.load(open(game))
mb = lambda n: f"{int(n) / 1e6:.0f} MB"
print(f"image             {tag}")
print(f"stand-in base     {mb(base)}, {base_made}")
print(f"build time        {build} s (buildah bud, both stages)")
print(f"image size        {mb(size)} ({mb(int(size) - int(base))} over the base)")
print(f"healthy after     {healthy} s")
print(f"game              table {code} ended in {played} s, {result['last_seq']} events, "
      f"scores {json.dumps(result['scores'])}")
EOF

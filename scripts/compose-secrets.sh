#!/bin/sh
# Creates the secrets docker-compose.yml reads (docs/compose.md#security): one random key per file.
#
#   scripts/compose-secrets.sh [--force] [dir]
#
# dir: where to write them; default $ESCO_SECRETS_DIR, else ./secrets next to docker-compose.yml.
# An existing file is kept (running it again changes nothing); --force makes new keys for all of
# them (rotation: then `docker compose up -d`). Prints the files it wrote, never a key.
#
# The directory is mode 700 (only its owner gets in); the files in it are 644, because compose
# bind-mounts each file into its containers as it is, and the esco-init image runs as uid 1000
# (`node`), not as the file's owner: the directory is what keeps the keys from other host users.
set -eu

force=false
dir=
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help)
      sed -n '2,12s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    -*)
      echo "compose-secrets: unknown option $arg (--force, --help)" >&2
      exit 2
      ;;
    *) dir=$arg ;;
  esac
done
if [ -z "$dir" ]; then
  dir=${ESCO_SECRETS_DIR:-"$(cd "$(dirname "$0")/.." && pwd)/secrets"}
fi

# 32 random bytes as 64 hex characters: no character a compose file, a shell or a comma-separated
# key list would treat specially.
random_key() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 32
  else
    head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \n'
    echo
  fi
}

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

# write <file> [prefix]: the file holds prefix + a new key, unless it exists and --force is absent.
write() {
  file="$dir/$1"
  # `docker compose up` before this script: the runtime made an empty directory in the file's place.
  if [ -d "$file" ]; then
    rmdir "$file" 2>/dev/null || {
      echo "compose-secrets: $file is a directory, not a key file: remove it and run this again" >&2
      exit 1
    }
  fi
  if [ -e "$file" ] && [ "$force" = false ]; then
    echo "kept    $file"
    return
  fi
  key=$(random_key)
  [ ${#key} -eq 64 ] || {
    echo "compose-secrets: could not make a random key (openssl rand, or /dev/urandom and od)" >&2
    exit 1
  }
  # Written beside the file and renamed: a reader never sees half a key.
  printf '%s%s\n' "${2:-}" "$key" >"$file.new"
  chmod 644 "$file.new"
  mv -f "$file.new" "$file"
  echo "wrote   $file"
}

write weaviate-root-key
write weaviate-init-key
write weaviate-search-key
write esco-admin-keys ops:
write esco-monitor-keys prometheus:

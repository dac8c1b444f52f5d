# shellcheck shell=bash
# Shared by prepare-cifar10.sh and prepare-celeba.sh, which set ROOT, SCRIPT, DATASET, DEFAULT_INPUT,
# DEFAULT_CONFIG and usage() before sourcing this file and calling prepare_main "$@".

die_usage() {
  echo "error: $*" >&2
  echo "run ${SCRIPT} --help for the options" >&2
  exit 2
}

# True for a URI (hdfs://..., s3a://..., file:/...) rather than a local path.
is_uri() {
  [[ "$1" =~ ^[A-Za-z][A-Za-z0-9+.-]*: ]]
}

# Makes a local relative path absolute (against the caller's working directory); URIs are kept.
absolute() {
  if is_uri "$1" || [[ "$1" == /* ]]; then
    printf '%s\n' "$1"
  else
    printf '%s/%s\n' "$PWD" "$1"
  fi
}

prepare_main() {
  local input="" config="$DEFAULT_CONFIG" job_args=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --help|-h) usage; exit 0 ;;
      --input) [[ $# -ge 2 && -n "$2" ]] || die_usage "--input needs a path"; input="$2"; shift 2 ;;
      --input=*) input="${1#--input=}"; [[ -n "$input" ]] || die_usage "--input needs a path"; shift ;;
      --config) [[ $# -ge 2 && -n "$2" ]] || die_usage "--config needs a file"; config="$2"; shift 2 ;;
      --config=*) config="${1#--config=}"; [[ -n "$config" ]] || die_usage "--config needs a file"; shift ;;
      --set) [[ $# -ge 2 ]] || die_usage "--set needs key=value"; job_args+=(--set "$2"); shift 2 ;;
      --set=*) job_args+=(--set "${1#--set=}"); shift ;;
      --overwrite) job_args+=(--overwrite); shift ;;
      --) shift; job_args+=("$@"); break ;;
      *) die_usage "unknown option '$1' (pass job arguments after --)" ;;
    esac
  done

  local submit="${SPARK_VAE_SUBMIT:-${ROOT}/submit/local.sh}"
  input="$(absolute "${input:-$DEFAULT_INPUT}")"
  config="$(absolute "$config")"
  [[ -f "$config" ]] || die_usage "config file not found: ${config}"
  if ! is_uri "$input" && [[ -z "${SPARK_VAE_SUBMIT:-}" && ! -e "$input" ]]; then
    echo "error: ${DATASET} input not found: ${input}" >&2
    echo "download it first: data-prep/download-${DATASET}.sh (or pass --input PATH)" >&2
    exit 2
  fi

  # --dataset/--input are the job's shorthands of --set data.dataset=/data.input= (quoted for HOCON there)
  local cmd=("$submit" prepare --config "$config" --dataset "$DATASET" --input "$input"
    ${job_args[@]+"${job_args[@]}"})
  echo "running: ${cmd[*]}" >&2
  local rc=0
  "${cmd[@]}" || rc=$?
  if [[ "$rc" -eq 0 ]]; then
    echo "next: ${SPARK_VAE_SUBMIT:-submit/local.sh} train --config ${config}" >&2
  fi
  exit "$rc"
}

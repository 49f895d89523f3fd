# Runs spark-submit (the Spark driver) with its stdout and stderr passed on unchanged. If it
# fails, the last exception and ERROR lines of each stream become the termination message.
# $1: the container's terminationMessagePath. The rest: the spark-submit command line.
message=$1
shift
# Backticks: the kubelet would expand a dollar and parenthesis in `command`.
# shellcheck disable=SC2006
if ! dir=`mktemp -d 2>/dev/null` || ! mkfifo "$dir/out" "$dir/err"; then
  exec "$@"
fi
# shellcheck disable=SC2016 # awk's fields, not the shell's
causes='{ print; fflush() }
/^(Exception in thread "[^"]*" |Caused by: |: )?[A-Za-z_$][A-Za-z0-9_$.]*(Exception|Error)(: |$)/ || / ERROR / {
  line = substr($0, 1, 400)
  if (line != previous) kept[m++ % 10] = line
  previous = line
}
END {
  budget = 1900
  first = m
  for (i = m - 1; i >= 0 && i >= m - 10 && length(kept[i % 10]) < budget; i--) {
    budget -= length(kept[i % 10]) + 1
    first = i
  }
  for (i = first; i < m; i++) print kept[i % 10] > file
}'
awk -v file="$dir/out.causes" "$causes" < "$dir/out" &
awk -v file="$dir/err.causes" "$causes" < "$dir/err" >&2 &
child=
trap 'kill -TERM "$child" 2>/dev/null' TERM
"$@" > "$dir/out" 2> "$dir/err" &
child=$!
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
wait
if [ "$status" -ne 0 ]; then
  cat "$dir/err.causes" "$dir/out.causes" > "$dir/causes" 2>/dev/null
  if [ -s "$dir/causes" ]; then
    { cat "$dir/causes"; echo "spark-submit exited with code $status"; } > "$message" 2>/dev/null
  fi
fi
rm -rf "$dir"
exit "$status"

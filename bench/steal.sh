# Sourced by the bench scripts: the share of the machine's CPU time the hypervisor gave to other guests ("steal"
# in /proc/stat) while a run was measured. A run with a few percent of steal is not comparable with one without.
#
#   mark=$(steal_mark); ...run...; steal_since $mark    # prints e.g. 3.2 (percent)
steal_mark() { awk '/^cpu /{t=0; for (i=2;i<=NF;i++) t+=$i; print $9, t}' /proc/stat; }
steal_since() { steal_mark | awk -v s="$1" -v t="$2" '{d=$2-t; printf "%.1f", (d > 0 ? 100 * ($1 - s) / d : 0)}'; }

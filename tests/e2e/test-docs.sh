#!/usr/bin/env bash
# Every command has a man page, every page renders without warnings, and
# `make install` puts them where man finds them.
. "$(dirname "$0")/../lib.sh"

t_begin "every-command-has-a-man-page"
for c in $(ctrgit --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
  [ -f "$ROOT_DIR/docs/man/ctrgit-$c.1" ] || t_fail_msg "no docs/man/ctrgit-$c.1"
  grep -qF "ctrgit\\-$c" "$ROOT_DIR/docs/man/ctrgit.1" || t_fail_msg "ctrgit(1) does not mention ctrgit-$c"
done
t_end

t_begin "man-pages-render-without-warnings"
for m in "$ROOT_DIR"/docs/man/*.[17]; do
  out=$(groff -man -ww -z "$m" 2>&1)
  [ -z "$out" ] || t_fail_msg "$(basename "$m"): $out"
done
t_end

t_begin "help-falls-back-to-usage-off-a-terminal"
out=$(ctrgit help diff)
grep -q "REV1 REV2" <<<"$out" || t_fail_msg "$out"
expect_fail 2 "no help on 'nosuch'" ctrgit help nosuch
t_end

t_begin "make-install-honours-prefix-and-destdir"
expect_ok make -s -C "$ROOT_DIR" install DESTDIR="$T_TMP/inst" PREFIX=/opt/ctr BUILD="$(dirname "$CTRGIT")"
[ -x "$T_TMP/inst/opt/ctr/bin/ctrgit" ] || t_fail_msg "no binary"
[ -f "$T_TMP/inst/opt/ctr/share/man/man1/ctrgit-diff.1" ] || t_fail_msg "no man1 page"
[ -f "$T_TMP/inst/opt/ctr/share/man/man7/ctrgit-revisions.7" ] || t_fail_msg "no man7 page"
t_end
t_done

#!/bin/sh
# Starts Chromium ($FLOW_CHROMIUM) with the arguments Playwright gives it, each of
# --disable-features, --enable-features and --js-flags merged into one switch: Chromium keeps
# only the last of each, so the lists that Playwright, flow's policy and a workflow's
# browser.args each pass would otherwise replace one another. exec keeps the process id
# Playwright started.
disable=""
enable=""
js=""
for arg do
  shift
  case "$arg" in
    --disable-features=*) disable="${disable:+$disable,}${arg#--disable-features=}" ;;
    --enable-features=*) enable="${enable:+$enable,}${arg#--enable-features=}" ;;
    --js-flags=*) js="${js:+$js }${arg#--js-flags=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec "$FLOW_CHROMIUM" ${disable:+"--disable-features=$disable"} ${enable:+"--enable-features=$enable"} ${js:+"--js-flags=$js"} "$@"

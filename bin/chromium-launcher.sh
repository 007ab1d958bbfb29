#!/bin/sh
# Starts Chromium ($FLOW_CHROMIUM) with the arguments Playwright gives it, each of
# --disable-features and --enable-features merged into one switch: Chromium keeps only the last
# of each, so the lists that Playwright, flow and a workflow's browser.args each pass would
# otherwise replace one another. exec keeps the process id Playwright started.
disable=""
enable=""
for arg do
  shift
  case "$arg" in
    --disable-features=*) disable="${disable:+$disable,}${arg#--disable-features=}" ;;
    --enable-features=*) enable="${enable:+$enable,}${arg#--enable-features=}" ;;
    *) set -- "$@" "$arg" ;;
  esac
done
exec "$FLOW_CHROMIUM" ${disable:+"--disable-features=$disable"} ${enable:+"--enable-features=$enable"} "$@"

#!/usr/bin/env sh
# Builds the Teams app package (manifest.json + color.png + outline.png, icons drawn by the project).
#   manifests/teams/package.sh [bot app id] [output zip]
# The app id is the Entra app registration's Application (client) ID, the same value as
# DrBot:Teams:AppId; it defaults to $DRBOT_TEAMS_APP_ID. Without one the package keeps the
# placeholder 00000000-0000-0000-0000-000000000000 and Teams will not accept it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
app_id=${1:-${DRBOT_TEAMS_APP_ID:-}}
out=${2:-$root/artifacts/drbot-teams.zip}
if [ -n "$app_id" ]; then
  dotnet run --project "$root/tools/TeamsPackage" -- "$here" "$out" "$app_id"
else
  dotnet run --project "$root/tools/TeamsPackage" -- "$here" "$out"
fi

#!/usr/bin/env bash
# Fetches the GraphiQL bundle from npm into assets/ (committed; the router embeds it).
# Rerun after changing a version below, from anywhere:  bash core/explorer/fetch-assets.sh
set -euo pipefail

GRAPHIQL=3.9.0
REACT=18.3.1
GRAPHQL_WS=5.16.2

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" "graphql-ws@$GRAPHQL_WS" >/dev/null
for pkg in graphiql react react-dom graphql-ws; do
	mkdir -p "$pkg"
	tar xzf "$pkg"-[0-9]*.tgz -C "$pkg" --strip-components=1
done

out="$here/assets"
rm -rf "$out"
mkdir -p "$out"
cp graphiql/dist/index.umd.js "$out/graphiql.min.js"
cp graphiql/dist/style.css "$out/graphiql.min.css"
cp react/umd/react.production.min.js "$out/react.production.min.js"
cp react-dom/umd/react-dom.production.min.js "$out/react-dom.production.min.js"
cp graphql-ws/umd/graphql-ws.min.js "$out/graphql-ws.min.js"
for pkg in graphiql react react-dom graphql-ws; do
	cp "$pkg/LICENSE" "$out/LICENSE.$pkg" 2>/dev/null || true
done
printf 'graphiql %s\nreact %s\nreact-dom %s\ngraphql-ws %s\n' "$GRAPHIQL" "$REACT" "$REACT" "$GRAPHQL_WS" >"$out/VERSIONS"
echo "explorer assets written to $out"

#!/usr/bin/env bash
# Vendor front-end assets from npm into static/vendor/ so the app needs
# neither Node.js nor a CDN at run time, and the test-only assets (axe-core,
# run by the browser tests) into tests/e2e/vendor/, where the app never
# serves them.
#
# Usage: scripts/vendor_assets.sh
#
# Requires npm (and node) only when (re)vendoring. Re-running replaces the
# contents of static/vendor/ and tests/e2e/vendor/ from scratch; nothing
# outside them is touched.
#
# sourceMappingURL comments are stripped from the copied .js/.css files
# (the .map files are not shipped), because Django's
# ManifestStaticFilesStorage rewrites them and fails collectstatic when the
# referenced file is missing. Every url() in copied CSS must resolve to a
# copied file; the script checks this before finishing.
set -euo pipefail

# --- Pinned versions (exact) -------------------------------------------------
BOOTSTRAP_VERSION="5.3.9"           # latest 5.3.x
VAZIRMATN_VERSION="33.0.3"          # latest
HTMX_VERSION="2.0.11"               # latest 2.x
JALALIDATEPICKER_VERSION="0.9.12"   # latest (@majidh1/jalalidatepicker)
CHARTJS_VERSION="4.6.1"             # latest 4.x
AXE_CORE_VERSION="4.14.1"           # latest; tests only (tests/e2e/vendor)
# -----------------------------------------------------------------------------

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
VENDOR_DIR="$REPO_ROOT/static/vendor"
TEST_VENDOR_DIR="$REPO_ROOT/tests/e2e/vendor"

die() { echo "vendor_assets: error: $*" >&2; exit 1; }
log() { echo "vendor_assets: $*" >&2; }

command -v npm >/dev/null 2>&1 || die "npm is required to vendor assets"
command -v node >/dev/null 2>&1 || die "node is required to vendor assets"

WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vendor_assets.XXXXXX")"
trap 'rm -rf "$WORK_DIR"' EXIT
STAGE="$WORK_DIR/stage"          # built here, copied into VENDOR_DIR at the end
MANIFEST="$WORK_DIR/manifest.tsv" # short \t name \t version \t licence \t integrity \t files
TEST_STAGE="$WORK_DIR/stage-tests"          # test-only assets, for TEST_VENDOR_DIR
TEST_MANIFEST="$WORK_DIR/manifest-tests.tsv"
mkdir -p "$STAGE" "$TEST_STAGE"
: > "$MANIFEST"
: > "$TEST_MANIFEST"

# Current package being processed (set by fetch_pkg).
PKG_NAME="" PKG_VERSION="" PKG_DIR="" PKG_SHORT="" PKG_INTEGRITY=""
PKG_FILES=()

# fetch_pkg <short-name> <npm-name> <exact-version>
# Runs `npm pack` into a temp dir and extracts it; sets PKG_DIR to the
# extracted package root.
fetch_pkg() {
    PKG_SHORT="$1" PKG_NAME="$2" PKG_VERSION="$3"
    PKG_FILES=()
    local dir="$WORK_DIR/pack/$PKG_SHORT" json tarball
    mkdir -p "$dir/extract"
    log "npm pack $PKG_NAME@$PKG_VERSION"
    json="$(cd "$dir" && npm pack "$PKG_NAME@$PKG_VERSION" --json --ignore-scripts --silent 2>/dev/null)" \
        || die "npm pack $PKG_NAME@$PKG_VERSION failed"
    tarball="$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(j[0].filename)' "$json")"
    PKG_INTEGRITY="$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(j[0].integrity||"")' "$json")"
    local got_version
    got_version="$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(j[0].version)' "$json")"
    [[ "$got_version" == "$PKG_VERSION" ]] || die "$PKG_NAME: expected $PKG_VERSION, got $got_version"
    tar -xzf "$dir/$tarball" -C "$dir/extract"
    PKG_DIR="$dir/extract/package"
    [[ -f "$PKG_DIR/package.json" ]] || die "$PKG_NAME: unexpected tarball layout"
}

# strip_sourcemaps <file>: delete whole-line sourceMappingURL comments
# (`//# sourceMappingURL=...` and `/*# sourceMappingURL=... */`).
strip_sourcemaps() {
    local f="$1" tmp="$1.tmp"
    sed -E \
        -e '/^[[:space:]]*\/\/[#@][[:space:]]*sourceMappingURL=.*$/d' \
        -e '/^[[:space:]]*\/\*[#@][[:space:]]*sourceMappingURL=.*\*\/[[:space:]]*$/d' \
        "$f" > "$tmp"
    mv "$tmp" "$f"
}

# copy_file <src-relative-to-package> [dest-relative-to-vendor/short]
copy_file() {
    local src="$PKG_DIR/$1" rel="${2:-$1}"
    local dest="$STAGE/$PKG_SHORT/$rel"
    [[ -f "$src" ]] || die "$PKG_NAME@$PKG_VERSION: missing $1"
    mkdir -p "$(dirname "$dest")"
    cp "$src" "$dest"
    chmod 0644 "$dest"
    case "$dest" in
        *.js|*.css) strip_sourcemaps "$dest" ;;
    esac
    PKG_FILES+=("$rel")
}

# css_urls <css-file>: print the non-data: url() targets, one per line.
css_urls() {
    grep -oE "url\([[:space:]]*['\"]?[^'\")]*" "$1" \
        | sed -E "s/^url\([[:space:]]*['\"]?//" \
        | grep -vE '^(data:|#|$)' \
        | sed -E 's/[?#].*$//' \
        | sort -u || true
}

# copy_css_with_assets <css-src> [dest]: copy a CSS file plus every file its
# url()s reference, keeping the relative paths so the url()s resolve.
copy_css_with_assets() {
    local css="$1" dest="${2:-$1}" base url
    copy_file "$css" "$dest"
    base="$(dirname "$css")"
    while IFS= read -r url; do
        [[ -n "$url" ]] || continue
        case "$url" in
            /*|*://*) die "$PKG_NAME: absolute url() in $css: $url" ;;
        esac
        local src_rel="$url" dest_rel="$url"
        [[ "$base" == "." ]] || src_rel="$base/$url"
        [[ "$(dirname "$dest")" == "." ]] || dest_rel="$(dirname "$dest")/$url"
        copy_file "$src_rel" "$dest_rel"
    done < <(css_urls "$PKG_DIR/$css")
}

# copy_licence: copy the package's licence file (first match).
copy_licence() {
    local f
    for f in LICENSE LICENSE.md LICENSE.txt LICENCE LICENCE.md OFL.txt COPYING; do
        if [[ -f "$PKG_DIR/$f" ]]; then
            copy_file "$f"
            return 0
        fi
    done
    die "$PKG_NAME@$PKG_VERSION: no licence file found"
}

# finish_pkg: record the package in the manifest.
finish_pkg() {
    local licence files
    licence="$(node -e 'const p=require(process.argv[1]);const l=p.license||(p.licenses&&p.licenses.map(x=>x.type||x).join(" OR "))||"UNKNOWN";process.stdout.write(typeof l==="string"?l:(l.type||"UNKNOWN"))' "$PKG_DIR/package.json")"
    if [[ "$licence" == "OFL" ]] && grep -q "Version 1.1" "$PKG_DIR/OFL.txt" 2>/dev/null; then
        licence="OFL-1.1"
    fi
    files="$(printf '%s\n' "${PKG_FILES[@]}" | sort | sed "s|^|$PKG_SHORT/|" | paste -sd ',' -)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$PKG_SHORT" "$PKG_NAME" "$PKG_VERSION" "$licence" "$PKG_INTEGRITY" "$files" >> "$MANIFEST"
}

# --- Packages ----------------------------------------------------------------

fetch_pkg bootstrap bootstrap "$BOOTSTRAP_VERSION"
copy_file dist/css/bootstrap.min.css bootstrap.min.css
copy_file dist/css/bootstrap.rtl.min.css bootstrap.rtl.min.css
copy_file dist/js/bootstrap.bundle.min.js bootstrap.bundle.min.js
copy_licence
finish_pkg

# Variable-weight font only (one woff2, weights 100-900); the CSS references
# fonts/webfonts/Vazirmatn[wght].woff2, copied alongside with the same path.
fetch_pkg vazirmatn vazirmatn "$VAZIRMATN_VERSION"
copy_css_with_assets Vazirmatn-Variable-font-face.css
copy_licence
finish_pkg

fetch_pkg htmx htmx.org "$HTMX_VERSION"
copy_file dist/htmx.min.js htmx.min.js
copy_licence
finish_pkg

fetch_pkg jalalidatepicker @majidh1/jalalidatepicker "$JALALIDATEPICKER_VERSION"
copy_file dist/jalalidatepicker.min.js jalalidatepicker.min.js
copy_css_with_assets dist/jalalidatepicker.min.css jalalidatepicker.min.css
copy_licence
finish_pkg

fetch_pkg chartjs chart.js "$CHARTJS_VERSION"
if [[ -f "$PKG_DIR/dist/chart.umd.min.js" ]]; then
    copy_file dist/chart.umd.min.js chart.umd.min.js
else
    copy_file dist/chart.umd.js chart.umd.js
fi
copy_licence
finish_pkg

# --- Test-only packages (tests/e2e/vendor; never served by the app) -----------
APP_STAGE="$STAGE" APP_MANIFEST="$MANIFEST"
STAGE="$TEST_STAGE" MANIFEST="$TEST_MANIFEST"

# axe-core: the accessibility rules the browser tests run on every main page.
fetch_pkg axe-core axe-core "$AXE_CORE_VERSION"
copy_file axe.min.js
copy_licence
finish_pkg

STAGE="$APP_STAGE" MANIFEST="$APP_MANIFEST"

# --- Checks on the staged tree -------------------------------------------------

# No sourceMappingURL left (Django's manifest storage would try to resolve it).
if grep -rlE 'sourceMappingURL=' "$STAGE" "$TEST_STAGE" --include='*.js' --include='*.css' >/dev/null; then
    grep -rnoE '.{0,20}sourceMappingURL=.{0,40}' "$STAGE" "$TEST_STAGE" --include='*.js' --include='*.css' >&2 || true
    die "sourceMappingURL references remain in vendored files"
fi
# Every url() in CSS resolves to a vendored file.
while IFS= read -r -d '' css; do
    while IFS= read -r url; do
        [[ -n "$url" ]] || continue
        [[ -f "$(dirname "$css")/$url" ]] || die "${css#"$STAGE"/}: url($url) does not exist"
    done < <(css_urls "$css")
done < <(find "$STAGE" -name '*.css' -print0)

# --- VERSIONS.md ---------------------------------------------------------------
# write_versions <manifest> <title> <intro line>
write_versions() {
    local manifest="$1" title="$2" intro="$3"
    echo "# $title"
    echo
    echo "$intro"
    echo "Generated by \`scripts/vendor_assets.sh\` — do not edit by hand; change the"
    echo "pinned versions at the top of the script and re-run it instead."
    echo "Files come from the npm tarballs (\`npm pack <name>@<version>\`);"
    echo "\`sourceMappingURL\` comments were stripped and no \`.map\` files are shipped."
    echo
    echo "| Package | Version | Licence | Files |"
    echo "|---------|---------|---------|-------|"
    while IFS=$'\t' read -r short name version licence integrity files; do
        printf '| `%s` | %s | %s | %s |\n' "$name" "$version" "$licence" \
            "$(printf '%s' "$files" | sed -E 's/([^,]+)/`\1`/g; s/,/<br>/g')"
    done < "$manifest"
    echo
    echo "## npm tarball integrity"
    echo
    while IFS=$'\t' read -r short name version licence integrity files; do
        printf -- '- `%s@%s`: `%s`\n' "$name" "$version" "$integrity"
    done < "$manifest"
}
write_versions "$MANIFEST" "Vendored front-end assets" \
    "Served by the app (static/vendor/)." > "$STAGE/VERSIONS.md"
write_versions "$TEST_MANIFEST" "Vendored test-only assets" \
    "Used by the browser tests only (tests/e2e/vendor/); never served by the app." \
    > "$TEST_STAGE/VERSIONS.md"

# --- Install: replace static/vendor/ from scratch ------------------------------
case "$VENDOR_DIR" in
    */static/vendor) ;;
    *) die "refusing to replace unexpected directory: $VENDOR_DIR" ;;
esac
rm -rf "$VENDOR_DIR"
mkdir -p "$VENDOR_DIR"
cp -R "$STAGE/." "$VENDOR_DIR/"

case "$TEST_VENDOR_DIR" in
    */tests/e2e/vendor) ;;
    *) die "refusing to replace unexpected directory: $TEST_VENDOR_DIR" ;;
esac
rm -rf "$TEST_VENDOR_DIR"
mkdir -p "$TEST_VENDOR_DIR"
cp -R "$TEST_STAGE/." "$TEST_VENDOR_DIR/"

for dir in "$VENDOR_DIR" "$TEST_VENDOR_DIR"; do
    log "vendored into ${dir#"$REPO_ROOT"/}:"
    (cd "$dir" && find . -type f | sort | sed 's|^\./|  |') >&2
done

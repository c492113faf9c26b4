#!/usr/bin/env bash
# Seed corpora of the fuzz targets from the project's own test files (issue #15): the XLSForm
# corpus, the sample frameworks and questionnaires, the crafted hostile workbooks, and small
# CSV/XLSX files the tests use. Writes fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
root=..
rm -rf corpus && mkdir -p corpus/{table,xlsform,framework,responses,imports,expr,evidence}
i=0
add() { # target file
  i=$((i + 1)); cp "$2" "corpus/$1/seed-$i-$(basename "$2" | tr -c 'A-Za-z0-9._-' '_')"
}
while IFS= read -r f; do
  for t in table xlsform imports evidence; do add "$t" "$f"; done
done < <(find "$root/crates/reports/tests/xlsform-corpus" -type f \( -name '*.xlsx' -o -name '*.xls' \))
for f in "$root"/frameworks/*.yaml "$root"/frameworks/*/*.yaml; do [ -f "$f" ] && add framework "$f"; done
for f in "$root"/surveys/samples/*.yaml; do add xlsform "$f"; done
for f in "$root"/report-forms/*.yaml "$root"/inspection-checklists/*.yaml; do add framework "$f"; done
# crafted hostile workbooks and generated files (templates, exports) from the binary's bench
if [ -n "${PARINDEX_BIN:-}" ]; then
  "$PARINDEX_BIN" bench hostile-files --write corpus/_made >/dev/null
  for f in corpus/_made/*; do
    # the largest crafted files are kept out of the corpus (libFuzzer's -max_len)
    [ "$(stat -c %s "$f")" -lt 400000 ] || continue
    for t in table xlsform framework responses imports; do add "$t" "$f"; done
  done
  rm -rf corpus/_made
fi
printf 'unit_code,q01,q02\nXA-1,5,4\nXA-2,3,\n' > corpus/responses/seed-csv.csv
printf 'response_id,unit_code,channel,submitted_at,q01\n1,XC,paper,2026-03-14T09:21:05+07:00,4\n' > corpus/responses/seed-bench.csv
printf 'ma_don_vi,ten_don_vi,loai\nS1,Sở Một,agency\n' > corpus/imports/seed-units.csv
for e in '${q01} > 3' 'selected(${q02}, "a") and not(${q03} = "")' 'count-selected(.) <= 2' '. >= 0 and . <= 100' "string-length(.) < 10 or \${x} != 'y'"; do
  i=$((i + 1)); printf '%s' "$e" > "corpus/expr/seed-$i"
done
# the expressions that once overflowed the stack (2026-12-05): deep nesting, long chains
head -c 3000 /dev/zero | tr '\0' '(' > corpus/expr/seed-deep-parens
head -c 3000 /dev/zero | tr '\0' '-' > corpus/expr/seed-deep-signs
for _ in $(seq 400); do printf 'not('; done > corpus/expr/seed-deep-not
for _ in $(seq 1500); do printf '1+'; done > corpus/expr/seed-long-chain
# an .xls cut short where an .xlsx is read (the calamine crash of 2026-12-05)
f="$root/crates/reports/tests/xlsform-corpus/pyxform/tests/example_xls/widgets.xls"
for n in 1024 4096 9000; do head -c "$n" "$f" > "corpus/table/seed-cut-$n.xls"; cp "corpus/table/seed-cut-$n.xls" corpus/xlsform/; done
printf '%%PDF-1.4\n%%%%EOF\n' > corpus/evidence/seed-pdf
printf '\x89PNG\r\n\x1a\n' > corpus/evidence/seed-png
echo "seeds: $(find corpus -type f | wc -l) files"

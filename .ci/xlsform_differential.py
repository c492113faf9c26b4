"""Differential test of the XLSForm importer (issue #15): every workbook of the importer's test
corpus goes through `parindex survey import-xlsform` and through pyxform (the reference
converter of ODK and KoboToolbox); both must accept or both refuse, except the divergences
listed below, each with its reason. Usage: xlsform_differential.py PARINDEX_BINARY CORPUS_DIR"""
import pathlib
import subprocess
import sys
import tempfile
import warnings

from pyxform.xls2xform import convert

# file (relative to the corpus) -> (ours, pyxform's, why they differ on purpose)
DIVERGENCES = {
    "own/empty_survey.xlsx": ("refuse", "accept", "a questionnaire without a question collects nothing; pyxform emits an empty form"),
    "pyxform/tests/example_xls/tutorial.xls": (
        "refuse",
        "accept",
        "every question is inside a repeat, which the model does not have: nothing would be left to import (the corpus README allows the refusal; the repeat is named)",
    ),
    "pyxform/tests/example_xls/choice_filter_test.xlsx": (
        "refuse",
        "accept",
        "the list `counties` has the choice `king` twice; pyxform accepts it under `allow_choice_duplicates=yes`, our answer keys must be unique (the corpus README: report it, never merge silently)",
    ),
    "pyxform/tests/example_xls/include.xlsx": (
        "accept",
        "refuse",
        "pyxform cannot resolve `include` without the other file; we import the form's own question and report the include row",
    ),
}


def ours(binary, path):
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([binary, "survey", "import-xlsform", str(path), "--output", f"{d}/q.yaml"], capture_output=True, text=True)
        return "accept" if r.returncode == 0 else "refuse"


def theirs(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            convert(xlsform=str(path), validate=False)
        return "accept"
    except Exception:  # pyxform raises PyXFormError, and others for unreadable files
        return "refuse"


def main():
    binary, corpus = sys.argv[1], pathlib.Path(sys.argv[2])
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".xlsx", ".xls"))
    failures, agreed, intended = [], 0, 0
    for p in files:
        rel = p.relative_to(corpus).as_posix()
        a, b = ours(binary, p), theirs(p)
        expected = DIVERGENCES.get(rel)
        if expected:
            if (a, b) != expected[:2]:
                failures.append(f"{rel}: listed as a divergence ({expected[0]} vs {expected[1]}) but now {a} vs {b}: update the list")
            else:
                intended += 1
                print(f"divergence  {rel}: ours {a}, pyxform {b} — {expected[2]}")
        elif a != b:
            failures.append(f"{rel}: ours {a}, pyxform {b}")
        else:
            agreed += 1
            print(f"agree       {rel}: {a}")
    print(f"{agreed} agree, {intended} intended divergences, {len(failures)} unexplained, of {len(files)} workbooks")
    if failures:
        sys.exit("\n".join(failures))


main()

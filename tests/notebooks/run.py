"""Execute a notebook headless, as Jupyter would, in a given folder.

Usage: run.py NOTEBOOK FOLDER PARAMETERS_JSON OUTPUT

PARAMETERS_JSON (an object) becomes a cell of assignments right after the cell tagged "parameters" (papermill's
convention). The executed notebook, outputs included, is written to OUTPUT; a cell that raises makes this script
exit non-zero with the cell and its traceback on stderr.
"""

import json
import sys

import nbformat
from nbclient import NotebookClient


def main():
    path, folder, params_json, out = sys.argv[1:5]
    nb = nbformat.read(path, as_version=4)
    params = json.loads(params_json)
    if params:
        tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
        if not tagged:
            sys.exit(f"{path}: no cell tagged 'parameters'")
        source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
        nb.cells.insert(tagged[0] + 1, cell)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, out)


if __name__ == "__main__":
    main()

"""``load`` cross-checks the manifest's descriptive fields with the arrays.

These fields are covered by ``manifest_sha256``, so only a re-signed manifest can
change them; such a manifest must still agree with what the arrays and the
format give.
"""

import json
import shutil
import warnings

import numpy as np
import pytest
from test_fixedpoint_reference import StandInMLP

from sparsenn.fixedpoint import ExportError, load, to_fixed_point
from sparsenn.fixedpoint._manifest import MANIFEST_CHECKSUM, manifest_checksum


def _model(classes):
    rng = np.random.default_rng(1)
    coefs = [
        (rng.random((8, 6)) < 0.5) * rng.normal(0, 1, (8, 6)),
        rng.normal(0, 1, (6, 3)),
    ]
    return StandInMLP(
        coefs,
        [rng.normal(0, 1, 6), rng.normal(0, 1, 3)],
        classes,
        parallelism=(4, 3),
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    net = to_fixed_point(_model(np.array(["x", "y", "z"])))
    return net, net.save(tmp_path_factory.mktemp("fields") / "e")


def _resigned(source, folder, edit):
    """Copy the export to ``folder``, apply ``edit`` to its manifest, re-sign."""
    path = shutil.copytree(source, folder / "e")
    manifest = json.loads((path / "manifest.json").read_text())
    edit(manifest)
    manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def _setter(*keys_and_value):
    *keys, value = keys_and_value

    def edit(manifest):
        entry = manifest
        for key in keys[:-1]:
            entry = entry[key]
        entry[keys[-1]] = value

    return edit


BAD_FIELDS = {
    "output_scale NaN": (_setter("output_scale", float("nan")), "output_scale"),
    "output_scale inf": (_setter("output_scale", float("inf")), "output_scale"),
    "output_scale huge": (_setter("output_scale", 10**400), "output_scale"),
    "output_scale text": (_setter("output_scale", "1.0"), "output_scale"),
    "output_scale bool": (_setter("output_scale", True), "output_scale"),
    "output_scale zero": (_setter("output_scale", 0.0), "output_scale"),
    "output_scale negative": (_setter("output_scale", -2.0), "output_scale"),
    "output_shift NaN": (_setter("output_shift", float("nan")), "output_shift"),
    "output_shift -inf": (_setter("output_shift", float("-inf")), "output_shift"),
    "output_shift null": (_setter("output_shift", None), "output_shift"),
    "layer_sizes": (_setter("layer_sizes", [1, 2, 3]), "layer_sizes"),
    "layer_sizes floats": (_setter("layer_sizes", [8.0, 6, 3]), "layer_sizes"),
    "layer_sizes short": (_setter("layer_sizes", [8, 3]), "layer_sizes"),
    "fmt.width": (_setter("fmt", "width", 99), "fmt.width"),
    "fmt.width bool": (_setter("fmt", "width", True), "fmt.width"),
    "fmt.ap_fixed": (_setter("fmt", "ap_fixed", "ap_fixed<99,4>"), "fmt.ap_fixed"),
    "fmt.sign": (_setter("fmt", "sign", 0), "fmt.sign"),
    "activation": (_setter("activation", "relu"), "activation"),
    "classes_kind": (_setter("classes_kind", "<U5"), "classes_kind"),
    "classes_kind int": (_setter("classes_kind", "<i8"), "classes_kind"),
    "classes_kind str": (_setter("classes_kind", "str "), "classes_kind"),
}


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_a_resigned_manifest_field_that_disagrees_is_named(export, tmp_path, case):
    edit, field = BAD_FIELDS[case]
    path = _resigned(export[1], tmp_path, edit)
    with pytest.raises(ExportError) as info:
        load(path)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith(f"{path / 'manifest.json'}: {field}="), message
    assert "expected" in message


def test_object_classes_saved_as_strings_keep_their_kind(tmp_path):
    model = _model(np.array(["x", 7, "z"], dtype=object))
    net = to_fixed_point(model)
    with pytest.warns(UserWarning, match="saved as strings"):
        path = net.save(tmp_path / "obj")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = load(path)  # classes_kind "str" with '<U1' classes is accepted
    assert back.classes_.dtype.kind == "U"
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["classes_kind"] == "str"
    edited = _resigned(path, tmp_path / "edited", _setter("classes_kind", "<i8"))
    with pytest.raises(ExportError, match=r"classes_kind='<i8'; expected '<U1'"):
        load(edited)


def test_absent_descriptive_fields_are_not_required(export, tmp_path):
    # older exports: the checks apply to the fields a manifest has; a scale and
    # shift that are present must still be finite
    net, source = export

    def drop(manifest):
        for key in ("layer_sizes", "activation", "classes_kind", "output_scale"):
            del manifest[key]
        del manifest["fmt"]["width"]
        manifest["output_shift"] = float("nan")

    path = _resigned(source, tmp_path, drop)
    with pytest.raises(ExportError, match=r"output_shift=nan; expected a finite"):
        load(path)
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["output_shift"]
    manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (path / "manifest.json").write_text(json.dumps(manifest))
    back = load(path)
    assert (back.output_scale_, back.output_shift_) == (1.0, 0.0)
    X = np.random.default_rng(0).random((10, 8))
    np.testing.assert_array_equal(back.predict(X), net.predict(X))

"""The idle-asset marketplace: large companies list idle patents, equipment, instruments and space; SMEs request them."""

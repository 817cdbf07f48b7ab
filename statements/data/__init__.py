"""Data in and out: streaming exports, imports, the lossless dataset dump/load, the seed loader."""

"""Create the data_samples folder the seed script uploads: two JPEGs made with Pillow, a CSV and a JSON."""
import json
import os
import sys

import numpy as np
from PIL import Image

out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "data_samples")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
for name, size in (("dancing.jpg", (64, 48)), ("picasso.jpg", (40, 30))):
    pixels = rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(pixels, "RGB").save(os.path.join(out, name), quality=90)
with open(os.path.join(out, "data.csv"), "w") as f:
    f.write("a,b,c\n1,2,3\n4,5,6\n")
with open(os.path.join(out, "sample.json"), "w") as f:
    json.dump({"name": "sample", "values": [1, 2, 3], "nested": {"ok": True}}, f)
print(out)

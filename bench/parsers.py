"""Parser choice for the read path: PyYAML libyaml composer vs pure-Python PyYAML vs ruamel.yaml
round-trip, over the real-world corpus (see ngrok_lint/loader.py for the figures)."""
import glob, time, statistics, yaml, io
from ruamel.yaml import YAML
files=[]
for p in sorted(glob.glob('/work/shared/corpus/real-world/*')):
    if p.endswith('.tsv'): continue
    t=open(p,'rb').read().decode('utf-8','replace')
    try:
        n=yaml.compose(t, Loader=yaml.CSafeLoader)
    except Exception: continue
    files.append(t)
def run_pyyaml():
    for t in files: yaml.compose(t, Loader=yaml.CSafeLoader)
def run_pyyaml_py():
    for t in files: yaml.compose(t, Loader=yaml.SafeLoader)
def run_ruamel():
    for t in files:
        y=YAML(); y.preserve_quotes=True
        try: y.load(t)
        except Exception: pass
for name,f in [('pyyaml-c',run_pyyaml),('pyyaml-py',run_pyyaml_py),('ruamel-rt',run_ruamel)]:
    ts=[]
    for i in range(10):
        s=time.perf_counter(); f(); ts.append(time.perf_counter()-s)
    print(name, len(files), 'files', '%.3f ms/file'%(statistics.median(ts)/len(files)*1000))

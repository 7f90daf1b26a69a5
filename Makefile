# One command each on a fresh Debian 12 / Python 3.11 machine:
#   make demo   -> set everything up, build the demo project and render it to demo-out/
#   make test   -> set everything up and run the test suite (Qt offscreen, CPU only)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Debian packages: espeak-ng speaks test sentences; the xcb/GL/font libraries let Qt run offscreen
# and under Xvfb (screenshots); sox checks audio in tests; Festival and its voices (built from real
# speakers' recordings) speak part of the viseme recognizer's training data in recipe 3
# (`train --stage visemes --recipe 3`, tests/test_festival_synth.py): ~61 MB download, ~166 MB installed.
# gcc and python3-dev build the `ttspico` sdist (SVOX Pico, recipe 4, pyproject's [train] extra).
# fonts-wqy-microhei (5 MB) lets the app show Chinese and Japanese scripts (without a CJK font Qt draws boxes).
APT_PACKAGES := espeak-ng sox xvfb libgl1 libegl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 \
	libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 fonts-dejavu-core fonts-wqy-microhei libportaudio2 appstream desktop-file-utils \
	festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts festvox-italp16k festvox-itapc16k \
	festvox-czech-dita festvox-czech-machac festvox-czech-krb festvox-ca-ona-hts festvox-suopuhe-lj festvox-suopuhe-mv \
	gcc libc6-dev python3-dev

.PHONY: setup system-deps demo test bench gallery screenshots package clean

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages (install them with sudo apt-get install): $$missing"; fi; \
	fi

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	# mediapipe without its declared deps (jax, GUI opencv); its real deps are in pyproject.toml.
	$(PY) -m pip install -q --no-deps mediapipe==0.10.21
	touch $(STAMP)

demo: system-deps setup
	$(VENV)/bin/talkface-studio demo -o demo-out

test: system-deps setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) benchmarks/run_all.py

# contact sheet of the gallery portraits x eight emotions, speaking (look at it after every stage 1/2 change)
gallery: setup
	$(PY) benchmarks/gallery.py -o gallery-out/gallery.png

screenshots: system-deps setup
	$(PY) packaging/screenshots.py

# desktop one-folder build -> dist/talkface-studio/ (PyInstaller; several minutes on 2 cores)
package: system-deps setup
	$(PY) packaging/build_package.py

clean:
	rm -rf $(VENV) demo-out gallery-out build dist *.egg-info

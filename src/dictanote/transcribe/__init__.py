"""The transcribe stage: audio (a file or in-memory ``Audio``) in, ``Transcript`` out."""

from .audiofile import load_audio_file
from .catalog import BUNDLES
from .install import add_model, bundle_named
from .models import ModelInfo, available_models, model_search_dirs, resolve_model, user_models_dir
from .whisper import Transcriber

__all__ = [
    "BUNDLES",
    "ModelInfo",
    "Transcriber",
    "add_model",
    "available_models",
    "bundle_named",
    "load_audio_file",
    "model_search_dirs",
    "resolve_model",
    "user_models_dir",
]

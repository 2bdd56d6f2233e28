"""The transcribe stage: audio (a file or in-memory ``Audio``) in, ``Transcript`` out."""

from .audiofile import load_audio_file
from .models import ModelInfo, available_models, model_search_dirs, resolve_model
from .whisper import Transcriber

__all__ = [
    "ModelInfo",
    "Transcriber",
    "available_models",
    "load_audio_file",
    "model_search_dirs",
    "resolve_model",
]

# Sourced by the scripts after the build: when OpenBLAS would run its generic kernels on this AVX-512 CPU
# (Debian's 0.3.21 does not know some newer CPUs; matrix products are then about 4x slower), select its
# SkylakeX kernels. A value already set in the environment is left alone.
if [[ -z ${OPENBLAS_CORETYPE:-} ]] && build/bench/bench --corename 2>/dev/null | grep -q "generic kernels"; then
  export OPENBLAS_CORETYPE=SkylakeX
  echo "OpenBLAS: generic kernels on an AVX-512 CPU; using OPENBLAS_CORETYPE=SkylakeX"
fi

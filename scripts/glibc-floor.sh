# Sourced by scripts/package (which writes the libc6 floor into the .deb's Depends) and
# scripts/test-package (which checks the packaged binary against the floor the .deb declares).

# The packed relative relocations (DT_RELR, Package.swift) need glibc 2.36: the binary names the
# symbol-less version GLIBC_ABI_DT_RELR, which dpkg-shlibdeps maps to no libc6 version at all.
glibc_dt_relr=2.36

# The glibc version binary $1 needs: the highest GLIBC_x.y it names (readelf -V), or the DT_RELR
# floor when it names GLIBC_ABI_DT_RELR and that is higher. Prints "VERSION NAME", NAME the
# version that sets it (GLIBC_2.35, GLIBC_ABI_DT_RELR); nothing when it names none.
glibc_needed() {
  local names highest
  names=$(readelf --version-info --wide "$1" | grep -o 'Name: GLIBC_[A-Z0-9_.]*' | sed 's/^Name: //' | sort -u || true)
  highest=$(sed -n 's/^GLIBC_\([0-9][0-9.]*\)$/\1/p' <<<"$names" | sort -V | tail -1)
  if grep -qx GLIBC_ABI_DT_RELR <<<"$names" && dpkg --compare-versions "${highest:-0}" lt "$glibc_dt_relr"; then
    echo "$glibc_dt_relr GLIBC_ABI_DT_RELR"
  elif [[ -n "$highest" ]]; then
    echo "$highest GLIBC_$highest"
  fi
}

# The libc6 floor of Depends text $1 (`libc6 (>= 2.36)` gives 2.36); nothing when it has none.
libc6_floor() { sed -n 's/^\(.*[ ,]\)\{0,1\}libc6 (>= \([^)]*\)).*/\2/p' <<<"$1"; }

# Fails loudly unless Depends text $2 declares a libc6 floor that covers what binary $1 needs.
check_glibc_floor() {
  local floor needed version name symbols
  floor=$(libc6_floor "$2")
  needed=$(glibc_needed "$1")
  [[ -n "$needed" ]] || { echo "FAIL: $1 names no GLIBC version (readelf -V): is it a glibc binary?" >&2; return 1; }
  read -r version name <<<"$needed"
  if [[ -z "$floor" ]]; then
    echo "FAIL: the package declares no libc6 floor (Depends: $2), but $1 needs $name (glibc $version): scripts/package must write libc6 (>= $version) into Depends" >&2
    return 1
  fi
  if dpkg --compare-versions "$floor" lt "$version"; then
    if [[ $name == GLIBC_ABI_DT_RELR ]]; then
      symbols="packed relative relocations, DT_RELR"
    else
      symbols=$(objdump -T "$1" | awk -v v="$name" 'NF > 1 && ($(NF-1) == v || $(NF-1) == "(" v ")") {print $NF}' | sort -u | head -3 | paste -sd, - || true)
    fi
    echo "FAIL: $1 needs $name (${symbols:-symbols}) from glibc $version, but the package declares libc6 (>= $floor): it would install where it cannot start; scripts/package must raise the libc6 floor in Depends to $version (or build the binary against an older glibc)" >&2
    return 1
  fi
  echo "glibc floor: libc6 (>= $floor) covers $name (glibc $version)"
}

# Included from the top-level CMakeLists.txt after the nhi target: what `cmake --install`
# puts where, and the CPack .deb (cd build && cpack -G DEB).
include(GNUInstallDirs)

# nhi(1), generated from the built binary's --help texts (packaging/manpage.sh)
set(NHI_MAN ${PROJECT_BINARY_DIR}/nhi.1.gz)
add_custom_command(OUTPUT ${NHI_MAN}
  COMMAND ${PROJECT_SOURCE_DIR}/packaging/manpage.sh $<TARGET_FILE:nhi> ${NHI_VERSION_FULL} > nhi.1
  COMMAND gzip -9nf nhi.1
  DEPENDS nhi ${PROJECT_SOURCE_DIR}/packaging/manpage.sh
  WORKING_DIRECTORY ${PROJECT_BINARY_DIR}
  VERBATIM)
add_custom_target(nhi_manpage ALL DEPENDS ${NHI_MAN})
install(FILES ${NHI_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nhi)
set(CPACK_PACKAGE_VERSION ${NHI_VERSION_FULL})
set(CPACK_PACKAGE_CONTACT "nhi maintainers <nhi@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "find and govern non-human identities: secrets scanner, NHI inventory and reports")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # nhi_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/nhi")
# Depends: from the binary's NEEDED libraries (libhyperscan5, libgit2-1.5, libpcre2-8-0, ...)
# where dpkg-shlibdeps exists (dpkg-dev); else the Debian 12 list, kept by hand.
find_program(NHI_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(NHI_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libgcc-s1, libhyperscan5, libpcre2-8-0, libgit2-1.5, libsqlite3-0, libyaml-cpp0.7, libfmt9, libtomlplusplus3, libssl3, zlib1g, libarchive13, libcurl4")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS git)
include(CPack)

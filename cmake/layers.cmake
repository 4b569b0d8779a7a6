# nhi_layer(TARGET FOLDER): TARGET's sources are FOLDER/, and what links TARGET may include
# FOLDER/ headers. Each layer publishes a directory holding one link, to its own folder; the
# include path of a target is then its own folder plus those of the layers it links, so
# `#include "db/model.hpp"` from rules/ finds no file and fails to compile.
function(nhi_layer target folder)
  set(view ${PROJECT_BINARY_DIR}/layers/${folder})
  file(MAKE_DIRECTORY ${view})
  if(NOT EXISTS ${view}/${folder})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${view}/${folder} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${view})
endfunction()

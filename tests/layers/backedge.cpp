// Compiled only by the layers test, with the rules layer's include path: rules may not see
// the datastore, so this include must fail to resolve. If it compiles, the build no longer
// enforces the layering.
#include "db/model.hpp"

int nhi_layers_probe_backedge() { return 0; }

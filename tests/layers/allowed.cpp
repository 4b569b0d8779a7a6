// The control for backedge.cpp: the datastore layer may include the rules layer, through
// the same mechanism, so a failure of backedge.cpp is the layering and not a broken probe.
#include "rules/rule.hpp"

int nhi_layers_probe_allowed() { return 0; }

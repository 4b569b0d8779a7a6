#include "cli/cli.hpp"

int main(int argc, char** argv) { return nhi::cli::run(argc, argv); }

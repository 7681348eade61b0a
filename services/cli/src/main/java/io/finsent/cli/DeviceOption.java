package io.finsent.cli;

import io.finsent.encoder.Device;
import picocli.CommandLine.Option;

/** {@code --device}, for the commands that run the encoder in this process. */
final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    Device device;
}

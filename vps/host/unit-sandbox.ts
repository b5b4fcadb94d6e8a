/**
 * The systemd sandbox both of clawkit's long-running units share: no new
 * privileges, a read-only system, no home directories, private /tmp, devices and
 * IPC, no kernel or clock tuning, its own processes only in /proc, Internet and
 * local sockets only, no namespaces, realtime or personality changes, and the
 * system calls of an ordinary service. Each unit adds what is its own (users,
 * capabilities, writable paths, memory and IP rules) after these lines.
 */
export function sharedSandbox(): string[] {
  return [
    "NoNewPrivileges=yes",
    "AmbientCapabilities=",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "PrivateIPC=yes",
    "ProtectHostname=yes",
    "ProtectClock=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectProc=invisible",
    "ProcSubset=pid",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "LockPersonality=yes",
    "RemoveIPC=yes",
    "KeyringMode=private",
    "DevicePolicy=closed",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallErrorNumber=EPERM",
  ];
}

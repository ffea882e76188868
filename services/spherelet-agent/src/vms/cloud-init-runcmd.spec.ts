import { rpctoolInfoSet, runcmdGuestInfo, shellWords } from './cloud-init-runcmd';

const cloudConfig = (body: string) => `#cloud-config\n${body}`;

describe('the guestinfo keys a cloud-config runcmd sets', () => {
  it('takes them from string lines and argv lists, the value being the rest of the line', () => {
    const userData = cloudConfig(
      [
        'hostname: web-1',
        'runcmd:',
        '  - vmware-rpctool "info-set guestinfo.ready true"',
        "  - /usr/bin/vmware-rpctool 'info-set guestinfo.role db primary'",
        '  - [vmware-rpctool, "info-set guestinfo.port 5432"]',
        '  - - vmware-rpctool',
        '    - info-set guestinfo.empty',
        '',
      ].join('\n'),
    );
    expect(runcmdGuestInfo(userData)).toEqual({ 'guestinfo.ready': 'true', 'guestinfo.role': 'db primary', 'guestinfo.port': '5432', 'guestinfo.empty': '' });
  });

  it('reads the JSON cloud-config an inline spec.bootstrap.cloudInit.cloudConfig becomes', () => {
    const userData = `#cloud-config\n${JSON.stringify({ runcmd: [['vmware-rpctool', 'info-set guestinfo.ready yes'], 'echo hi'] }, null, 2)}\n`;
    expect(runcmdGuestInfo(userData)).toEqual({ 'guestinfo.ready': 'yes' });
  });

  it('keeps the last value of a key set twice', () => {
    const userData = cloudConfig('runcmd:\n  - vmware-rpctool "info-set guestinfo.phase one"\n  - vmware-rpctool "info-set guestinfo.phase two"\n');
    expect(runcmdGuestInfo(userData)).toEqual({ 'guestinfo.phase': 'two' });
  });

  it('runs nothing else: other commands, other keys, lines needing a shell, other rpctool calls', () => {
    const userData = cloudConfig(
      [
        'runcmd:',
        '  - echo "info-set guestinfo.a 1"',
        '  - vmware-rpctool "info-set other.key 1"',
        '  - vmware-rpctool "info-set guestinfo. 1"',
        '  - vmware-rpctool "info-get guestinfo.a"',
        '  - vmware-rpctool info-set guestinfo.a 1',
        '  - vmware-rpctool "info-set guestinfo.ip $(hostname -I)"',
        '  - vmware-rpctool "info-set guestinfo.a 1" && reboot',
        '  - [sh, -c, "vmware-rpctool \'info-set guestinfo.a 1\'"]',
        '  - {not: a command}',
        '',
      ].join('\n'),
    );
    expect(runcmdGuestInfo(userData)).toEqual({});
  });

  it('reads only #cloud-config user data that parses', () => {
    expect(runcmdGuestInfo(undefined)).toEqual({});
    expect(runcmdGuestInfo('#!/bin/sh\nvmware-rpctool "info-set guestinfo.ready true"\n')).toEqual({});
    expect(runcmdGuestInfo(cloudConfig('runcmd: [vmware-rpctool "info-set guestinfo.ready true"\n'))).toEqual({});
    expect(runcmdGuestInfo(cloudConfig('runcmd: vmware-rpctool "info-set guestinfo.ready true"\n'))).toEqual({});
  });
});

describe('splitting a runcmd line into words', () => {
  it('splits as sh does a simple command', () => {
    expect(shellWords(`vmware-rpctool  "info-set guestinfo.a \\"q\\" \\\\ x"`)).toEqual(['vmware-rpctool', 'info-set guestinfo.a "q" \\ x']);
    expect(shellWords(`a'b c'"d"\\ e f#g`)).toEqual(['ab cd e', 'f#g']);
    expect(shellWords('')).toEqual([]);
  });

  it('refuses what needs more of a shell', () => {
    for (const line of ['a; b', 'a | b', 'a > f', 'echo $HOME', 'echo "$HOME"', 'echo `id`', 'a # note', 'ls *', 'cd ~', '"open', "'open", 'trailing\\']) {
      expect(shellWords(line)).toBeUndefined();
    }
  });
});

describe('vmware-rpctool info-set', () => {
  it('sets a guestinfo key to the rest of its one argument', () => {
    expect(rpctoolInfoSet(['vmware-rpctool', 'info-set guestinfo.msg hello  world '])).toEqual({ key: 'guestinfo.msg', value: 'hello  world ' });
    expect(rpctoolInfoSet(['vmware-rpctool', 'info-set guestinfo.flag'])).toEqual({ key: 'guestinfo.flag', value: '' });
    expect(rpctoolInfoSet(['vmware-rpctool'])).toBeUndefined();
    expect(rpctoolInfoSet(['rpctool', 'info-set guestinfo.a 1'])).toBeUndefined();
  });
});

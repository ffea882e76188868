import {
  compareSemver, compareWithBuildTags, controlPlaneBlock, formatSemver, parseTolerant, versionChangeCauses, versionSyntaxCauses,
} from './topology-version.validation';

const v = (text: string) => parseTolerant(text)!;
const nothingInTheWay = () => undefined;

describe('parseTolerant (semver.ParseTolerant)', () => {
  it('reads a Kubernetes version with or without its v, with pre-release and build metadata', () => {
    expect(v('v1.29.4+vmware.3-fips.1-tkg.1')).toEqual({ major: 1, minor: 29, patch: 4, pre: [], build: ['vmware', '3-fips', '1-tkg', '1'] });
    expect(v('1.30.0-rc.1')).toEqual({ major: 1, minor: 30, patch: 0, pre: ['rc', '1'], build: [] });
    // A TanzuKubernetesRelease name (`+` spelt `---`) is a pre-release.
    expect(formatSemver(v('v1.29.4---vmware.3-fips.1-tkg.1'))).toBe('1.29.4---vmware.3-fips.1-tkg.1');
  });

  it('fills up a short version and drops leading zeros, as the tolerant parser does', () => {
    expect(formatSemver(v('v1.29'))).toBe('1.29.0');
    expect(formatSemver(v('01.029.04'))).toBe('1.29.4');
  });

  it('refuses what is no version', () => {
    for (const bad of ['', 'latest', 'v1.2-rc', '1.2.3.4', '1.2.3+', '1.2.3-01', '1.2.x']) expect(parseTolerant(bad)).toBeUndefined();
  });
});

describe('comparing versions', () => {
  it('orders by precedence: a release above its pre-releases, numbers below words', () => {
    expect(compareSemver(v('1.29.0'), v('1.29.0-rc.1'))).toBe(1);
    expect(compareSemver(v('1.29.0-rc.2'), v('1.29.0-rc.10'))).toBe(-1);
    expect(compareSemver(v('1.29.0-1'), v('1.29.0-alpha'))).toBe(-1);
    expect(compareSemver(v('1.29.4+vmware.3'), v('1.29.4+vmware.1'))).toBe(0);
  });

  it('tells equal versions apart by build metadata when asked to (util/version WithBuildTags)', () => {
    expect(compareWithBuildTags(v('1.29.4+vmware.3'), v('1.29.4+vmware.1'))).toBe(1);
    expect(compareWithBuildTags(v('1.29.4+vmware.3'), v('1.29.4+vmware.3.1'))).toBe(-1);
    expect(compareWithBuildTags(v('1.29.4+vmware.3'), v('1.29.4+vmware.3'))).toBe(0);
  });
});

describe('versionSyntaxCauses', () => {
  it('takes a Kubernetes semantic version, v or not', () => {
    expect(versionSyntaxCauses('v1.29.4+vmware.3-fips.1-tkg.1')).toEqual([]);
    expect(versionSyntaxCauses('1.29.4')).toEqual([]);
    expect(versionSyntaxCauses('v1.29.4---vmware.3-fips.1-tkg.1')).toEqual([]);
  });

  it('refuses anything else, naming the version as CAPI\'s defaulting left it (v first)', () => {
    expect(versionSyntaxCauses('1.29')).toEqual([
      { field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.29": version must be a valid semantic version' },
    ]);
    expect(versionSyntaxCauses('v01.2.3')[0].message).toBe('Invalid value: "v01.2.3": version must be a valid semantic version');
    expect(versionSyntaxCauses(undefined)[0].message).toBe('Invalid value: "v": version must be a valid semantic version');
  });
});

describe('versionChangeCauses', () => {
  it('takes the same version, a patch and one minor up', () => {
    expect(versionChangeCauses('v1.29.4', 'v1.29.4', nothingInTheWay)).toEqual([]);
    expect(versionChangeCauses('v1.29.5', 'v1.29.4', nothingInTheWay)).toEqual([]);
    expect(versionChangeCauses('v1.30.1', 'v1.29.4', nothingInTheWay)).toEqual([]);
    expect(versionChangeCauses('v1.29.4+vmware.4', 'v1.29.4+vmware.3', nothingInTheWay)).toEqual([]);
  });

  it('refuses a lower version, build metadata counted', () => {
    expect(versionChangeCauses('v1.28.9', 'v1.29.4+vmware.3-fips.1-tkg.1', nothingInTheWay)).toEqual([{
      field: 'spec.topology.version', reason: 'FieldValueInvalid',
      message: 'Invalid value: "v1.28.9": version cannot be decreased from "1.29.4+vmware.3-fips.1-tkg.1" to "1.28.9"',
    }]);
    expect(versionChangeCauses('v1.29.4+vmware.2', 'v1.29.4+vmware.3', nothingInTheWay)[0].message)
      .toBe('Invalid value: "v1.29.4+vmware.2": version cannot be decreased from "1.29.4+vmware.3" to "1.29.4+vmware.2"');
  });

  it('refuses two minor versions up, or a new major', () => {
    expect(versionChangeCauses('1.31.0', 'v1.29.4', nothingInTheWay)).toEqual([{
      field: 'spec.topology.version', reason: 'FieldValueInvalid', message: 'Invalid value: "v1.31.0": version cannot be increased from "1.29.4" to "1.31.0"',
    }]);
    expect(versionChangeCauses('v2.0.0', 'v1.29.4', nothingInTheWay)[0].message).toBe('Invalid value: "v2.0.0": version cannot be increased from "1.29.4" to "2.0.0"');
  });

  it('asks the control plane only about a minor upgrade, and refuses it with its reason', () => {
    const asked: string[] = [];
    const busy = (current: any) => {
      asked.push(formatSemver(current));
      return 'ControlPlane is still completing a previous upgrade';
    };
    expect(versionChangeCauses('v1.29.5', 'v1.29.4', busy)).toEqual([]);
    expect(asked).toEqual([]);
    expect(versionChangeCauses('v1.30.0', 'v1.29.4', busy)).toEqual([{
      field: 'spec.topology.version', reason: 'FieldValueInvalid',
      message: 'Invalid value: "v1.30.0": minor version update cannot happen at this time: blocking version update due to ControlPlane version check: ControlPlane is still completing a previous upgrade',
    }]);
    expect(asked).toEqual(['1.29.4']);
  });

  it('refuses a stored version that is no version', () => {
    expect(versionChangeCauses('v1.29.4', 'latest', nothingInTheWay)[0].message).toBe('Invalid value: "vlatest": old version must be a valid semantic version');
  });
});

describe('controlPlaneBlock (the ControlPlane contract)', () => {
  const current = v('v1.29.4+vmware.3');
  it('lets a control plane on the current version, done rolling out, upgrade', () => {
    expect(controlPlaneBlock({ spec: { version: 'v1.29.4+vmware.3' }, status: { version: 'v1.29.4+vmware.3' } }, current)).toBeUndefined();
  });

  it('blocks one not on the current version, one still provisioning and one still upgrading', () => {
    expect(controlPlaneBlock({ spec: { version: 'v1.28.9' }, status: { version: 'v1.28.9' } }, current))
      .toBe('ControlPlane version "1.28.9" does not match the current version "1.29.4+vmware.3"');
    expect(controlPlaneBlock({ spec: { version: 'v1.29.4+vmware.3' } }, current)).toBe('ControlPlane is currently provisioning');
    expect(controlPlaneBlock({ spec: { version: 'v1.29.4+vmware.3' }, status: { version: 'v1.29.4+vmware.2' } }, current)).toBe('ControlPlane is still completing a previous upgrade');
  });
});

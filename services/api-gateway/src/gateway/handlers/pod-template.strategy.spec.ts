import { podTemplateResource } from '@openpacific/contracts';
import { defaultPodTemplate, validatePodTemplate } from './pod-template.strategy';

const pt = (template: any) => defaultPodTemplate({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'web' }, template });

describe('core/v1 PodTemplate strategy', () => {
  it('defaults its template as a pod and takes any restart policy', () => {
    const t = pt({ metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
    expect(t.template.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30 });
    expect(validatePodTemplate(t)).toEqual([]);
    const cols = podTemplateResource.versions[0].printerColumns!;
    expect(cols.map((c) => [c.name, c.value!(t)])).toEqual([['Containers', 'c'], ['Images', 'busybox'], ['Pod Labels', 'app=web,tier=fe']]);
  });

  it("refuses a template without containers or with a bad one, naming the field under template", () => {
    expect(validatePodTemplate(pt(undefined))).toEqual([{ field: 'template.spec.containers', reason: 'FieldValueRequired', message: 'Required value' }]);
    expect(validatePodTemplate(pt({ spec: { containers: [{ name: 'Bad_Name' }] } })).map((c) => c.field)).toEqual(['template.spec.containers[0].name', 'template.spec.containers[0].image']);
  });
});

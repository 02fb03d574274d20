import { Component, Fragment, useSyncExternalStore, type ReactNode } from 'react';
import { registryVersion, subscribeRegistry, visiblePanels, type PanelContext, type PanelLocation } from './panel-registry';

interface BoundaryProps {
  readonly id: string;
  readonly children: ReactNode;
}

/** A contribution that throws while rendering shows its error in place; the rest of the app goes on. */
export class PanelBoundary extends Component<BoundaryProps, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown): void {
    console.error(`Panel ${this.props.id} failed:`, error);
  }

  override render(): ReactNode {
    if (!this.state.error) return this.props.children;
    return (
      <div className="muted" role="alert" data-testid="panel-error" data-panel={this.props.id}>
        {this.props.id}: {this.state.error.message}
      </div>
    );
  }
}

/** Re-renders its caller when a contribution is registered or removed. */
export function useRegistryVersion(): number {
  return useSyncExternalStore(subscribeRegistry, registryVersion, registryVersion);
}

/** Every panel of `location` whose `when` holds (a dialog only while it is ctx.dialog), in order. */
export function PanelSlot(props: { readonly location: PanelLocation; readonly ctx: PanelContext }) {
  useRegistryVersion();
  return (
    <Fragment>
      {visiblePanels(props.location, props.ctx).map((panel) => (
        <PanelBoundary key={panel.id} id={panel.id}>
          <panel.component ctx={props.ctx} />
        </PanelBoundary>
      ))}
    </Fragment>
  );
}

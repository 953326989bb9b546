/* What a firmware gives the library (docs/cortex-m.md, "What the firmware
 * provides"), in the smallest form that links on a Cortex-M without a
 * kernel: the functions of the FreeRTOS glue (src/platform/freertos_glue.c,
 * which a real firmware compiles against its kernel), the FreeRTOS heap and
 * assert hook the `freertos` feature calls, and a PKCS#11 module that has
 * no token. A real firmware links FreeRTOS (and its heap), the glue and its
 * board's PKCS#11 module instead of this file. mbedTLS's calloc/free come
 * from newlib here; a firmware maps them onto the FreeRTOS heap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static volatile uint32_t ulCriticalNesting;
static volatile uint32_t ulTickCount;

void freertos_tls_enter_critical( void )
{
    __asm volatile ( "cpsid i" ::: "memory" );
    ulCriticalNesting++;
}

void freertos_tls_exit_critical( void )
{
    if( --ulCriticalNesting == 0 )
    {
        __asm volatile ( "cpsie i" ::: "memory" );
    }
}

/* A 32-bit tick counter at 1 kHz. */
uint32_t freertos_tls_tick_count( void )
{
    return ulTickCount;
}

uint32_t freertos_tls_tick_max( void )
{
    return UINT32_MAX;
}

uint32_t freertos_tls_tick_rate_hz( void )
{
    return 1000;
}

/* No scheduler: a delay passes its ticks at once. */
void freertos_tls_delay_ticks( uint32_t ulTicks )
{
    ulTickCount += ulTicks;
}

void * pvPortMalloc( size_t xSize )
{
    return malloc( xSize );
}

void vPortFree( void * pv )
{
    free( pv );
}

void vAssertCalled( const char * pcFile, unsigned long ulLine )
{
    ( void ) pcFile;
    ( void ) ulLine;
    __asm volatile ( "cpsid i" ::: "memory" );
    for( ; ; )
    {
        __asm volatile ( "wfi" );
    }
}

/* PKCS#11 v2.x: CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR).
 * CKR_GENERAL_ERROR: this image has no token. */
unsigned long C_GetFunctionList( void ** ppFunctionList )
{
    if( ppFunctionList != NULL )
    {
        *ppFunctionList = NULL;
    }
    return 0x05UL;
}
